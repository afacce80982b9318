#!/usr/bin/env python3
"""Validates the shipped price catalog and TCO scenarios against their JSON Schemas, and checks that
each schema rejects a few known-bad documents. Usage: SOURCE_DIR"""
import copy
import glob
import json
import os
import sys

import jsonschema

root = sys.argv[1]


def validator(name):
    schema = json.load(open(os.path.join(root, "data", "schemas", name)))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


failures = 0


def expect(ok, what):
    global failures
    if not ok:
        failures += 1
        print("FAIL:", what)


prices = validator("prices.schema.json")
scenario = validator("scenario.schema.json")

catalog = json.load(open(os.path.join(root, "data", "prices", "catalog.json")))
for e in prices.iter_errors(catalog):
    expect(False, f"catalog.json: $.{'.'.join(map(str, e.path))}: {e.message}")

bad = copy.deepcopy(catalog)
bad["cloud_offers"][0]["prices"]["on_demand"]["usd_per_gpu_hour"] = -1
expect(not prices.is_valid(bad), "prices schema accepts a negative price")
bad = copy.deepcopy(catalog)
del bad["cloud_offers"][0]["prices"]["on_demand"]["source"]
expect(not prices.is_valid(bad), "prices schema accepts a price without source")

files = sorted(glob.glob(os.path.join(root, "data", "scenarios", "*.json")))
expect(len(files) >= 3, "fewer than 3 scenarios")
for f in files:
    doc = json.load(open(f))
    for e in scenario.iter_errors(doc):
        expect(False, f"{f}: $.{'.'.join(map(str, e.path))}: {e.message}")
    bad = copy.deepcopy(doc)
    bad["fleet"]["utilisation"] = 1.5
    expect(not scenario.is_valid(bad), f"{f}: scenario schema accepts utilisation 1.5")
    bad = copy.deepcopy(doc)
    bad["fleet"]["years"] = 0
    expect(not scenario.is_valid(bad), f"{f}: scenario schema accepts 0 years")

print(f"checked catalog and {len(files)} scenarios: {failures} failure(s)")
sys.exit(1 if failures else 0)

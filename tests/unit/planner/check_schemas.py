#!/usr/bin/env python3
"""Validates data/hardware/*.json, data/models/*.json and generated plan documents against the
planner's JSON Schemas in data/schemas/. Exit 77 (skipped) without python3-jsonschema."""
import glob
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema not installed: skipped")
    sys.exit(77)

root = sys.argv[1]
schemas = os.path.join(root, "data", "schemas")
failures = 0
checked = 0
for schema_name, pattern in [("profile.schema.json", "data/hardware/*.json"), ("model.schema.json", "data/models/*.json"),
                             ("workload.schema.json", "tests/unit/planner/fixtures/workload_*.json")]:
    with open(os.path.join(schemas, schema_name)) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted(glob.glob(os.path.join(root, pattern))):
        with open(path) as f:
            doc = json.load(f)
        errors = list(validator.iter_errors(doc))
        checked += 1
        for e in errors:
            failures += 1
            print(f"{path}: {'/'.join(map(str, e.path))}: {e.message}")
# A workload's inline model is a model file without its schema fields: the two definitions must not
# drift apart, and every catalog model must be accepted inline.
with open(os.path.join(schemas, "model.schema.json")) as f:
    model_schema = json.load(f)
with open(os.path.join(schemas, "workload.schema.json")) as f:
    workload_schema = json.load(f)
inline = workload_schema["properties"]["model"]["oneOf"][1]
expected = {k: v for k, v in model_schema["properties"].items() if k not in ("schema", "schema_version")}
if inline["properties"] != expected:
    failures += 1
    print("workload.schema.json: $.properties.model.oneOf[1].properties differ from model.schema.json's: "
          + ", ".join(sorted(set(inline["properties"]) ^ set(expected)) or
                      [k for k in expected if inline["properties"].get(k) != expected[k]]))
workload_validator = jsonschema.Draft202012Validator(workload_schema)
for path in sorted(glob.glob(os.path.join(root, "data/models/*.json"))):
    with open(path) as f:
        model = {k: v for k, v in json.load(f).items() if k not in ("schema", "schema_version")}
    doc = {"schema": "headroom.workload", "schema_version": "1.0", "model": model, "phase": "infer",
           "infer": {"context_len": 1024, "output_len": 128}}
    checked += 1
    for e in workload_validator.iter_errors(doc):
        failures += 1
        print(f"{path} inline in a workload: {'/'.join(map(str, e.path))}: {e.message}")
with open(os.path.join(schemas, "plan.schema.json")) as f:
    jsonschema.Draft202012Validator.check_schema(json.load(f))
print(f"{checked} documents checked, {failures} problems")
sys.exit(1 if failures else 0)

#!/usr/bin/env python3
"""Validates a JSON document against a JSON Schema (Debian python3-jsonschema). Usage: SCHEMA DOC"""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
jsonschema.validators.validator_for(schema).check_schema(schema)
errors = sorted(jsonschema.validators.validator_for(schema)(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:20]:
    print(f"{sys.argv[2]}: $.{'.'.join(str(p) for p in e.path)}: {e.message}")
sys.exit(1 if errors else 0)

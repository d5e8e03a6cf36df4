#!/usr/bin/env python3
"""Print the one-line summary `make check` ends with: N passed, N failed."""
import json
import sys

passed = failed = 0
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        result = json.loads(line).get("result")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            continue
        else:
            failed += 1
print(f"{passed} passed, {failed} failed")

#!/usr/bin/env python3
"""Print the one-line summary `make check` ends with: N passed, N failed.

Arguments: meson testlog.json files (one per build; a missing one counts
as a failure: that build did not get to its tests) and text files of
"NAME ok|FAILED" lines (the fuzz targets; an absent file is skipped).
"""
import json
import os
import sys

passed = failed = 0
for path in sys.argv[1:]:
    if path.endswith(".json"):
        if not os.path.exists(path):
            print(f"missing: {path}")
            failed += 1
            continue
        with open(path, encoding="utf-8") as log:
            for line in log:
                result = json.loads(line).get("result")
                if result in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif result != "SKIP":
                    failed += 1
    elif os.path.exists(path):
        with open(path, encoding="utf-8") as results:
            for line in results:
                words = line.split()
                if len(words) >= 2:
                    passed += words[1] == "ok"
                    failed += words[1] != "ok"
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

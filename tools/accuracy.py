#!/usr/bin/env python3
"""Write docs/accuracy.md from the ACCURACY lines the tests print.

Usage: tools/accuracy.py BUILD/meson-logs/testlog.json docs/accuracy.md
Each line is "ACCURACY | model | figure | measured | bound"; the table goes
test by test in alphabetical order (parallel runs finish in any order), each
test's lines as it printed them. `make accuracy` runs the tests, then this.
"""
import json
import sys

rows = []
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        test = json.loads(line)
        for out in test.get("stdout", "").splitlines():
            if out.startswith("ACCURACY |"):
                parts = [p.strip() for p in out.split("|")[1:]]
                if len(parts) == 4:
                    name = test["name"].split(" / ")[-1]  # "project / test"
                    rows.append([name] + parts)
rows.sort(key=lambda row: row[0])  # stable: each test's own order kept

with open(sys.argv[2], "w", encoding="utf-8") as md:
    md.write("# Measured accuracy\n\n")
    md.write("Every model is checked in `make check` against an independent "
             "reference (closed-form circuit theory, the published RIAA table, "
             "Yeh & Smith's tone-stack transfer function, ngspice runs of the "
             "netlists in `tests/netlists/`). This page is written by "
             "`make accuracy` from what the tests measured; a test fails when "
             "a figure exceeds its bound.\n\n")
    md.write("| model | figure | measured | bound | test |\n")
    md.write("|---|---|---|---|---|\n")
    for test, model, figure, value, bound in rows:
        md.write(f"| {model} | {figure} | {value} | {bound} | `{test}` |\n")
print(f"{len(rows)} figures written to {sys.argv[2]}")

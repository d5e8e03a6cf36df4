#!/bin/sh
# The stage reference in docs/ is what `gainstage list --markdown` prints
# from the parameter tables (regenerate with `make docs`), and the man
# page names every stage.
# Arguments: the gainstage binary, the source root.
set -eu
if ! "$1" list --markdown | diff -u "$2/docs/stages.md" -; then
  echo "docs/stages.md is out of date: run 'make docs'"
  exit 1
fi
# the man page names every stage, in the registry's order
want=$("$1" list | awk 'NF && $1 !~ /^'"'"'/ {printf "%s%s", sep, $1; sep = ", "}')
got=$(sed -n '/^Stages: /,/\.$/p' "$2/docs/gainstage.1" | tr '\n' ' ' | sed 's/^Stages: //; s/\. *$//; s/  */ /g')
if [ "$got" != "$want" ]; then
  echo "docs/gainstage.1 lists the stages '$got'; gainstage list: '$want'"
  exit 1
fi

#!/bin/sh
# The stage reference in docs/ is what `gainstage list --markdown` prints
# from the parameter tables (regenerate with `make docs`).
# Arguments: the gainstage binary, the source root.
set -eu
if ! "$1" list --markdown | diff -u "$2/docs/stages.md" -; then
  echo "docs/stages.md is out of date: run 'make docs'"
  exit 1
fi

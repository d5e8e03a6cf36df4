#!/bin/sh
# No test can be silently missed: every tests/test_* program or script is
# registered in tests/meson.build. Argument: the source root.
set -eu
cd "$1/tests"
missing=0
for f in test_*.c test_*.sh; do
  name=${f%.*}
  if ! grep -q "'$name'" meson.build && ! grep -q "'$f'" meson.build; then
    echo "not registered in tests/meson.build: $f"
    missing=1
  fi
done
exit $missing

#!/bin/sh
# Lint is part of the build: every C file is as clang-format (.clang-format)
# writes it. Argument: the source root.
set -eu
cd "$1"
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find src cli tests include -name '*.[ch]')
clang-format --dry-run --Werror $files
echo "$(echo "$files" | wc -w) files formatted"

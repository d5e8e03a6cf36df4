#!/bin/bash
# Valgrind memcheck on the command line's `process` and `measure` of every
# preset: zero errors, zero leaks (definite, indirect and possible), two
# runs at a time. Arguments: gainstage, the presets folder.
set -u
gs=$1 presets=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$gs" synth guitar --seconds 1 "$dir/di.wav" >/dev/null || { echo "FAIL: synth"; exit 1; }
vg="valgrind -q --error-exitcode=99 --leak-check=full"
vg="$vg --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible"
jobs="$dir/jobs"
# longest first (measure of the tube presets takes minutes under valgrind,
# the rest seconds), so that the two lanes end together
for p in $(grep -l "voicing=tube\|type=tube" "$presets"/*.preset) "$presets"/*.preset; do
  name=$(basename "$p" .preset)
  grep -q "^$name measure" "$jobs" 2>/dev/null && continue
  echo "$name measure $vg $gs measure -p $p --json" >>"$jobs"
done
for p in "$presets"/*.preset; do
  name=$(basename "$p" .preset)
  echo "$name process $vg $gs process -p $p $dir/di.wav $dir/$name.wav" >>"$jobs"
done
# shellcheck disable=SC2016
xargs -P 2 -L 1 sh -c 'name=$0 what=$1; shift
  start=$(date +%s); "$@" >/dev/null 2>"'"$dir"'/$name.$what.log"; rc=$?
  echo "$name $what: exit $rc, $(grep -c "^==" "'"$dir"'/$name.$what.log") valgrind lines, $(( $(date +%s) - start )) s"
  exit $((rc != 0))' <"$jobs" >"$dir/summary.txt"
status=$?
sort "$dir/summary.txt"
runs=$(wc -l <"$dir/summary.txt")
clean=$(grep -c ": exit 0, 0 valgrind lines" "$dir/summary.txt")
echo "valgrind memcheck: $clean of $runs runs clean (process and measure of $((runs / 2)) presets)"
if [ $status -ne 0 ] || [ "$clean" -ne "$runs" ] || [ "$runs" -lt 14 ]; then
  for f in "$dir"/*.log; do [ -s "$f" ] && { echo "--- $f"; head -40 "$f"; }; done
  exit 1
fi

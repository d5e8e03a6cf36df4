#!/bin/bash
# Valgrind memcheck on the command line's `process` of every preset and
# `measure` of most (below): zero errors, zero leaks (definite, indirect
# and possible), two runs at a time. Arguments: gainstage, the presets folder.
set -u
gs=$1 presets=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$gs" synth guitar --seconds 1 "$dir/di.wav" >/dev/null || { echo "FAIL: synth"; exit 1; }
vg="valgrind -q --error-exitcode=99 --leak-check=full"
vg="$vg --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible"
jobs="$dir/jobs"
# measure: one preset with tube stages, first (the longest run), and every
# preset without. The other tube presets' oversampled circuits would take
# minutes more for code paths the first covers; their chains run under
# memcheck through `process` below, at the factor quality=auto picks. The
# measured one runs its tube stages at quality=2 (2x oversampled): the
# same code in 0.57 of the time; at 4x it bounded the test (125 s).
tubes=$(grep -l "voicing=tube\|type=tube" "$presets"/*.preset)
first=$(echo "$tubes" | head -1)
sed -E '/voicing=tube|type=tube/ s/(#.*)?$/ quality=2 \1/' "$first" >"$dir/$(basename "$first")"
for p in "$dir/$(basename "$first")" "$presets"/*.preset; do
  name=$(basename "$p" .preset)
  grep -q "^$name measure" "$jobs" 2>/dev/null && continue
  echo "$tubes" | grep -qx "$p" && continue
  echo "$name measure $vg $gs measure -p $p --json" >>"$jobs"
done
measured=$(wc -l <"$jobs")
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
presets_n=$(ls "$presets"/*.preset | wc -l)
echo "valgrind memcheck: $clean of $runs runs clean (process of $presets_n presets, measure of $measured)"
if [ $status -ne 0 ] || [ "$clean" -ne "$runs" ] || [ "$runs" -ne $((presets_n + measured)) ] ||
  [ "$presets_n" -lt 7 ]; then
  for f in "$dir"/*.log; do [ -s "$f" ] && { echo "--- $f"; head -40 "$f"; }; done
  exit 1
fi

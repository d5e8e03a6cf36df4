#!/bin/sh
# The command-line tool's processing path makes no allocation, lock or file
# call: `gainstage process` of every preset runs under an interposer that
# counts them inside gs_chain_process (tests/rt_interpose.c).
# Arguments: the gainstage binary, the interposer, the presets folder.
set -eu
gs=$1 interposer=$2 presets=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$gs" synth guitar --seconds 60 "$dir/di.wav"
# the interposer must see a forbidden call, or its zeros prove nothing
RT_INTERPOSE_REPORT="$dir/self.txt" RT_INTERPOSE_SELFTEST=1 LD_PRELOAD="$interposer" \
  "$gs" process -q -c "gain db=1" "$dir/di.wav" "$dir/self.wav"
case "$(cat "$dir/self.txt")" in
  *" malloc=1"*" free=1"*) echo "self-test: $(cat "$dir/self.txt")" ;;
  *) echo "self-test failed: $(cat "$dir/self.txt")"; exit 1 ;;
esac
failed=0
for preset in "$presets"/*.preset; do
  name=$(basename "$preset" .preset)
  RT_INTERPOSE_REPORT="$dir/$name.txt" LD_PRELOAD="$interposer" \
    "$gs" process -q -p "$preset" "$dir/di.wav" "$dir/$name.wav"
  report=$(cat "$dir/$name.txt")
  echo "$name: $report"
  case "$report" in
    process_calls=0*) echo "  the interposer saw no processing"; failed=1 ;;
    *" forbidden=0") ;;
    *) failed=1 ;;
  esac
done
# and an impulse-response file (long enough for every convolver level)
sox -n -r 44100 -c 1 "$dir/ir.wav" synth 3 pinknoise fade 0 3 2.9
RT_INTERPOSE_REPORT="$dir/ir.txt" LD_PRELOAD="$interposer" \
  "$gs" process -q -c "source ! preamp ! cab ir=$dir/ir.wav mix=0.8 ! adc" "$dir/di.wav" \
  "$dir/ir-out.wav"
echo "cab ir=: $(cat "$dir/ir.txt")"
case "$(cat "$dir/ir.txt")" in
  *" forbidden=0") ;;
  *) failed=1 ;;
esac
exit $failed

#!/bin/sh
# The command line: every error path exits with the documented code, says
# what was wrong, and leaves no output file (nor a temporary one) behind;
# the good paths write what they say. Arguments: the gainstage binary.
set -u
gs=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect CODE NEEDLE -- command...: exit code and a message fragment
expect() {
  code=$1 needle=$2
  shift 3
  "$@" >"$dir/stdout" 2>"$dir/stderr"
  got=$?
  if [ "$got" -ne "$code" ]; then
    fail "exit $got (want $code): $*"; sed 's/^/    /' "$dir/stderr"; return
  fi
  if [ -n "$needle" ] && ! grep -qF -- "$needle" "$dir/stderr" "$dir/stdout"; then
    fail "no '$needle' in the output of: $*"; sed 's/^/    /' "$dir/stderr"
  fi
}

# nothing at OUT and no temporary file beside it
nothing_written() {
  if [ -e "$1" ] || ls -a "$(dirname "$1")" | grep -q "^\.$(basename "$1")\."; then
    fail "something was left at $1"
  fi
}

"$gs" synth guitar --seconds 2 "$dir/di.wav" || fail "synth"
printf 'not audio\n' >"$dir/text.wav"
out="$dir/out.wav"

# beyond full scale into an integer format (FLAC) clips, with a warning
expect 0 "was clipped at full scale" -- "$gs" process -c "source ! gain db=3" "$dir/di.wav" \
  "$dir/over.flac"
sox "$dir/over.flac" -n stat 2>&1 | grep -q "Maximum amplitude: *1.000000" ||
  fail "FLAC beyond full scale not clipped at it: $(sox "$dir/over.flac" -n stat 2>&1 | grep Max)"

# an output that is a directory is refused before the work
mkdir "$dir/outdir.wav"
expect 2 "the output '$dir/outdir.wav' is a directory" -- "$gs" process -c gain "$dir/di.wav" \
  "$dir/outdir.wav"

expect 2 "--format takes float, pcm16, pcm24 or pcm32, not '-c'" -- "$gs" process --format -c \
  gain "$dir/di.wav" "$dir/q.wav"

# -q hushes warnings, never an error
expect 2 "stage 2 (adc) takes volts" -- "$gs" process -q -c "adc ! adc" "$dir/di.wav" "$dir/q.wav"
expect 2 "cannot read IR file" -- "$gs" process -q -c "source ! cab ir=$dir/none.wav ! adc" \
  "$dir/di.wav" "$dir/q.wav"
expect 0 "" -- "$gs" process -q -c "source ! poweramp tube=EL84 ! load" "$dir/di.wav" "$dir/q.wav"
[ -s "$dir/stderr" ] && fail "process -q printed the parser's warning: $(cat "$dir/stderr")"

# output that cannot be written (a full disk) fails, and says why
for args in "list" "plan -p hifi" "measure --file $dir/di.wav"; do
  # shellcheck disable=SC2086
  "$gs" $args >/dev/full 2>"$dir/stderr"
  code=$?
  [ $code -eq 1 ] || fail "$args >/dev/full: exit $code (want 1)"
  grep -q "writing the standard output failed: No space left" "$dir/stderr" ||
    fail "$args >/dev/full: no message"
done

# usage
expect 2 "Usage: gainstage" -- "$gs"
expect 0 "gainstage 0." -- "$gs" --version
expect 0 "Commands:" -- "$gs" --help
for cmd in process plan list synth; do expect 0 "Usage: gainstage $cmd" -- "$gs" $cmd --help; done
expect 2 "unknown command 'procss'" -- "$gs" procss
expect 2 "unknown option '--bogus'" -- "$gs" process --bogus -c gain "$dir/di.wav" "$out"
expect 2 "either -c CHAIN or -p PRESET" -- "$gs" process "$dir/di.wav" "$out"
expect 2 "either -c CHAIN or -p PRESET" -- "$gs" process -c gain -p guitar-clean "$dir/di.wav" "$out"
expect 2 "give an input and an output" -- "$gs" process -c gain "$dir/di.wav"
nothing_written "$out"

# chain errors name the stage, the key, the value and the range
expect 2 "unknown stage 'preamq'" -- "$gs" process -c "preamq gain=3" "$dir/di.wav" "$out"
expect 2 "has no parameter 'gian'" -- "$gs" process -c "source ! preamp gian=3" "$dir/di.wav" "$out"
expect 2 "stage 2 (preamp): gain=90: out of range (0 dB to 70 dB)" -- \
  "$gs" process -c "source ! preamp gain=90" "$dir/di.wav" "$out"
expect 2 "gain=4o: '" -- "$gs" process -c "source ! preamp gain=4o" "$dir/di.wav" "$out"
expect 2 "bass=0,5: ',5' is not a unit for a plain number" -- "$gs" plan -c "tonestack bass=0,5"
expect 2 "'!' with no stage after it" -- "$gs" plan -c "source !"
# a setting that does nothing with the others is taken, and said
expect 0 "stage 1 (poweramp): tube= does nothing here: it applies to type=tube" -- \
  "$gs" plan -c "poweramp tube=EL84 ! load"
expect 0 "mid= does nothing here: it applies to model=fender or model=marshall" -- \
  "$gs" plan -c "tonestack model=baxandall mid=0.1"
expect 0 "mu= does nothing here: it applies to tube=custom" -- "$gs" plan -c "triode mu=50 ! load"
expect 0 "stages= does nothing here: it applies to voicing=tube" -- "$gs" plan -c "preamp stages=3"
expect 0 "" -- "$gs" plan -c "preamp voicing=tube stages=3 ! poweramp type=tube tube=EL84 ! load"
grep -q "does nothing" "$dir/stderr" && fail "a tube setting on a tube stage was called inert"
expect 2 "out of reach of EL84 push-pull" -- \
  "$gs" process -c "source ! poweramp type=tube tube=EL84 watts=5000" "$dir/di.wav" "$out"
# under a heavy sag the power peaks as the supply rises, then falls: the
# reach said is the reach there is (20 W was refused inside '2.29 to 34.9')
expect 0 "" -- "$gs" plan -c "poweramp type=tube tube=6L6GC watts=20 sag=1.5k ! load"
expect 0 "" -- "$gs" plan -c "poweramp type=tube tube=EL34 watts=10 sag=2k ! load"
expect 2 "watts=5 is out of reach of EL34 push-pull output stages (6.68 to 112 W into 8 Ω with" -- \
  "$gs" plan -c "poweramp type=tube tube=EL34 watts=5 sag=1.5k ! load"
expect 2 "put a dac between them" -- "$gs" process -c "source ! adc ! preamp" "$dir/di.wav" "$out"
expect 2 "no preset 'nosuch'" -- "$gs" process -p nosuch "$dir/di.wav" "$out"
nothing_written "$out"

# files
expect 2 "cannot read '$dir/missing.wav'" -- "$gs" process -c gain "$dir/missing.wav" "$out"
expect 2 "as audio" -- "$gs" process -c gain "$dir/text.wav" "$out"
expect 2 "cannot write in '$dir/no/such'" -- "$gs" process -c gain "$dir/di.wav" "$dir/no/such/out.wav"
expect 2 "cannot tell the format" -- "$gs" process -c gain "$dir/di.wav" "$dir/out.xyz"
cp "$dir/di.wav" "$dir/same.wav"
sum=$(cksum <"$dir/same.wav")
expect 2 "is the input file" -- "$gs" process -c gain "$dir/same.wav" "$dir/same.wav"
[ "$(cksum <"$dir/same.wav")" = "$sum" ] || fail "the input was modified"
expect 2 "not 'pcm12'" -- "$gs" process --format pcm12 -c gain "$dir/di.wav" "$out"
nothing_written "$out"

# good paths
expect 0 "" -- "$gs" process -q -p guitar-clean "$dir/di.wav" "$out"
[ -f "$out" ] || fail "no output written"
info=$(sox --i "$out" 2>&1)
echo "$info" | grep -q "Channels *: 1" || fail "mono in, mono out: $info"
echo "$info" | grep -q "Sample Rate *: 48000" || fail "rate kept: $info"
sox -M "$dir/di.wav" "$dir/di.wav" "$dir/stereo.wav"
expect 0 "" -- "$gs" process -q -c "source ! preamp gain=10" "$dir/stereo.wav" "$dir/st.wav"
sox --i "$dir/st.wav" | grep -q "Channels *: 2" || fail "every channel processed"
sox --i "$dir/st.wav" | grep -q "32-bit Floating Point" || fail "volts are written as float"
expect 0 "" -- "$gs" process -q -c "source ! preamp gain=10 select=2" "$dir/stereo.wav" "$dir/sel.wav"
sox --i "$dir/sel.wav" | grep -q "Channels *: 1" || fail "select picks one input"
expect 2 "select=3 but there are only 2 input channels" -- \
  "$gs" process -c "source ! preamp select=3" "$dir/stereo.wav" "$dir/bad.wav"
nothing_written "$dir/bad.wav"

# warnings are named and printed once per stage at the end
expect 0 "stage 2 (preamp): the mic-condenser needs phantom power" -- \
  "$gs" process -c "source type=mic-condenser ! preamp input=mic" "$dir/di.wav" "$dir/w.wav"
[ "$(grep -c 'needs phantom' "$dir/stderr")" -eq 1 ] || fail "the phantom warning is repeated"
# ... by their line when the chain came from a file
printf 'source fs_volts=100V !\npreamp voicing=solid-state gain=60 !\nadc\n' >"$dir/hot.preset"
expect 0 "hot.preset:2: preamp: output clipped" -- "$gs" process -p "$dir/hot.preset" "$dir/di.wav" \
  "$dir/w.wav"
# a tube preamp's gain beyond what its cascade reaches says so, with the reach
expect 0 "gain=50.0 dB is beyond what stages=1 reaches at 1 kHz (-44.6 to 35.4 dB)" -- \
  "$gs" process -c "source ! preamp voicing=tube stages=1 gain=50" "$dir/di.wav" "$dir/w.wav"

# SIGTERM, or a closed terminal's SIGHUP, stops cleanly: exit 1, nothing
# at the destination, no temporary file left
"$gs" synth guitar --seconds 900 "$dir/long.wav" || fail "synth long"
for sig in TERM HUP; do
  "$gs" process -q -p guitar-clean "$dir/long.wav" "$dir/long-out.wav" 2>"$dir/stderr" &
  pid=$!
  sleep 0.3
  kill -$sig $pid
  wait $pid
  code=$?
  [ $code -eq 1 ] || fail "SIG$sig: exit $code (want 1)"
  grep -q "interrupted" "$dir/stderr" || fail "SIG$sig: no message"
  nothing_written "$dir/long-out.wav"
done

# cab ir=FILE: every kind of bad impulse response is refused before any
# output is written (sox makes the audio ones)
head -c 5000 /dev/urandom >"$dir/garbage.wav"
mkdir "$dir/folder"
sox -n -r 48000 -c 1 "$dir/empty.wav" trim 0 0 || fail "sox empty"
sox -n -r 8000 -c 1 "$dir/huge.wav" synth 10.5 sine 100 || fail "sox huge"
sox -n -r 44100 -c 1 "$dir/silent.wav" trim 0 0.1 || fail "sox silent"
sox -n -r 44100 -c 2 "$dir/ir.wav" synth 0.05 pinknoise fade 0 0.05 0.045 || fail "sox ir"
python3 "$(dirname "$0")/nan_wav.py" "$dir/nan.wav" || fail "nan_wav.py" # 100 NaN in 1 s
head -c 1000 "$dir/di.wav" >"$dir/trunc.wav" # its header promises 96000 frames
: >"$dir/zero.wav"
for bad in "garbage.wav:not audio" "text.wav:not audio" "folder:is a directory" "empty.wav:is empty" \
    "zero.wav:is empty (0 bytes)" \
    "huge.wav:at most 10 s" "silent.wav:only silence" "missing.wav:No such file" \
    "nan.wav:100 non-finite samples" "trunc.wav:promises 96000 frames, it holds"; do
  file=${bad%%:*} why=${bad#*:}
  expect 2 "$why" -- "$gs" process -c "source ! cab ir=$dir/$file ! adc" "$dir/di.wav" \
    "$dir/cab.wav"
  nothing_written "$dir/cab.wav"
done
expect 2 "at most 10 s" -- "$gs" plan -c "source ! cab ir=$dir/huge.wav ! adc"
# a file cut short (libsndfile would read what is there) is refused as input too
expect 2 "'$dir/trunc.wav' is truncated" -- "$gs" process -c "source ! adc" "$dir/trunc.wav" \
  "$dir/cab.wav"
nothing_written "$dir/cab.wav"
expect 2 "'$dir/trunc.wav' is truncated" -- "$gs" measure --file "$dir/trunc.wav"
# a good one: stereo, at 44.1 kHz, and found beside the preset that names it
expect 0 "" -- "$gs" process -q -c "source ! cab ir=$dir/ir.wav mix=0.7 ! adc" "$dir/di.wav" "$out"
printf 'source\ncab ir=ir.wav\nadc\n' >"$dir/rig.preset"
expect 0 "" -- "$gs" process -q -p "$dir/rig.preset" "$dir/di.wav" "$dir/out2.wav"

# plan and list
expect 0 "headroom" -- "$gs" plan -p guitar-clean
"$gs" plan -p guitar-clean --json >"$dir/plan.json" || fail "plan --json"
python3 -c "
import json,sys
p = json.load(open(sys.argv[1]))
assert p['input']['unit'] == 'dBFS', p['input']
for n in p['nodes']:
    for k in ('stage','unit','level','vrms','clip','headroom_db','noise','snr_db','watts','watts_clip'):
        assert k in n, (k, n)
" "$dir/plan.json" || fail "plan --json keys"
expect 2 "give dBFS" -- "$gs" plan -c "source ! preamp" --level -10dBu
expect 2 "write e.g." -- "$gs" plan -c "preamp" --level loud
expect 0 "impedance" -- "$gs" list preamp
expect 2 "unknown stage 'amp'" -- "$gs" list amp

# process lines OUT up with IN: the latency of oversampled stages is
# removed, and OUT is as long as IN (an impulse comes out where it went in)
python3 -c "
import struct,sys
x = [0.0] * 2000
x[300] = 0.005  # volts: the output stays below 1 (sox clips floats there)
open(sys.argv[1], 'wb').write(struct.pack('<2000f', *x))
" "$dir/imp.raw" || fail "impulse"
sox -t raw -r 48000 -e float -b 32 -c 1 "$dir/imp.raw" "$dir/imp.wav" || fail "sox impulse"
for chain in "triode quality=1" "triode quality=2" "triode quality=4" "triode quality=8" \
  "triode phase=minimum" "triode quality=8 phase=minimum" \
  "poweramp type=tube watts=50 load=8 gain=20 phase=minimum" \
  "preamp input=line voicing=solid-state gain=0 quality=4" "poweramp watts=100 load=8 quality=8"; do
  expect 0 "" -- "$gs" process -q -c "$chain" "$dir/imp.wav" "$dir/imp-out.wav"
  sox "$dir/imp-out.wav" -t raw -e float -b 32 "$dir/imp-out.raw" || fail "sox impulse out"
  python3 -c "
import struct,sys
raw = open(sys.argv[1], 'rb').read()
y = struct.unpack('<%df' % (len(raw) // 4), raw)
assert len(y) == 2000, len(y)
peak = max(range(len(y)), key=lambda i: abs(y[i]))
assert abs(peak - 300) <= 1, peak
" "$dir/imp-out.raw" || fail "$chain: the output does not line up with the input"
done

# an IR whose header claims an absurd sample rate (found by fuzz_ir: the
# resampler asked for gigabytes) or too many channels: refused, exit 2
python3 - "$dir" <<'PY'
import sys, wave
for name, rate, channels in (("ir-rate.wav", 1392531490, 1), ("ir-4k.wav", 4000, 1),
                             ("ir-chan.wav", 48000, 65)):
  w = wave.open(f"{sys.argv[1]}/{name}", "wb")
  w.setnchannels(channels); w.setsampwidth(1); w.setframerate(rate)
  w.writeframes(bytes([128]) * 441 * channels); w.close()
PY
expect 2 "sample rate of 1392531490 Hz" -- "$gs" process -c "cab ir=$dir/ir-rate.wav" "$dir/di.wav" "$dir/ir-out.wav"
expect 2 "sample rate of 4000 Hz" -- "$gs" process -c "cab ir=$dir/ir-4k.wav" "$dir/di.wav" "$dir/ir-out.wav"
expect 2 "65 channels" -- "$gs" process -c "cab ir=$dir/ir-chan.wav" "$dir/di.wav" "$dir/ir-out.wav"
nothing_written "$dir/ir-out.wav"
# the same limits on the audio to process: rates outside 8-384 kHz, over 64 channels
expect 2 "outside 8 kHz to 384 kHz" -- "$gs" process -c gain "$dir/ir-4k.wav" "$dir/in-out.wav"
expect 2 "outside 8 kHz to 384 kHz" -- "$gs" process -c gain "$dir/ir-rate.wav" "$dir/in-out.wav"
expect 2 "65 channels" -- "$gs" process -c gain "$dir/ir-chan.wav" "$dir/in-out.wav"
nothing_written "$dir/in-out.wav"

# a full disk (a file size limit stands in for it): a clear error, exit 1,
# nothing left behind
"$gs" synth guitar --seconds 20 "$dir/long.wav" >/dev/null || fail "synth long"
(
  trap '' XFSZ
  ulimit -f 200
  "$gs" process -p jazz-clean "$dir/long.wav" "$dir/full.wav" >"$dir/stdout" 2>"$dir/stderr"
  echo $? >"$dir/rc"
)
[ "$(cat "$dir/rc")" -eq 1 ] || fail "a full disk: exit $(cat "$dir/rc"), expected 1"
grep -q "writing .* failed: .*File too large" "$dir/stderr" || fail "a full disk: $(cat "$dir/stderr")"
nothing_written "$dir/full.wav"

if [ $failures -ne 0 ]; then
  echo "$failures failures"
  exit 1
fi
echo "all command-line checks passed"

#!/bin/sh
# The LV2 bundle in real hosts. Its Turtle validates against the LV2 spec
# (lv2_validate, sord) and a broken copy does not; lv2info lists every
# plugin with a port for every parameter it exposes; lv2apply (lilv) and our
# lilv host (tests/lv2host.c: atom ports, worker, state) give what
# `gainstage process` gives for the same settings within 1e-6; valgrind sees
# no error in either host; a state saved with an IR file restores it; jalv
# runs the Amp on a dummy jackd for 20 s without an xrun, and plays a saved
# Cabinet state as the offline host does.
# run() and the worker's response, interposed, make no allocation, lock or
# file call while parameters, fixed ones included, and an IR file change.
# Arguments: gainstage, lv2host, jack_io, the bundle's build folder, the
# source root, tests/rt_interpose.so.
set -u
gs=$1 host=$2 jackio=$3 bundle=$4 root=$5 interposer=$6
dir=$(mktemp -d)
jackd_pid=
cleanup() {
  [ -n "$jackd_pid" ] && kill "$jackd_pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
export LV2_PATH="$(dirname "$bundle"):/usr/lib/lv2"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
URI=urn:gainstage:lv2

# Under the sanitizers (GS_SANITIZED, tools/check.sh) the plugin needs the
# sanitizer's runtime in hosts we do not build: they get it preloaded.
# Leaks are not looked for here: a host unloads the plugin, and FFTW's
# planner memory, unloaded with it, then reads as leaked from an unknown
# module (valgrind checks both hosts for leaks on the plain build). The
# interposer, which replaces the allocator itself, runs on the plain build.
sanitized=${GS_SANITIZED:-}
if [ -n "$sanitized" ]; then
  export ASAN_OPTIONS=detect_leaks=0
  mkdir "$dir/bin"
  for h in lv2apply jalv; do
    printf '#!/bin/sh\nLD_PRELOAD=%s exec %s "$@"\n' \
      "$GS_SAN_PRELOAD" "$(command -v $h)" >"$dir/bin/$h"
    chmod +x "$dir/bin/$h"
  done
  PATH="$dir/bin:$PATH"
fi

"$gs" synth guitar --seconds 3 "$dir/di.wav" >/dev/null || fail "synth"
sox "$dir/di.wav" "$dir/short.wav" trim 0 0.5 || fail "sox trim"
sox -n -r 44100 -c 1 -b 24 "$dir/ir.wav" synth 0.2 pinknoise fade 0 0.2 0.19 || fail "sox ir"

# --- the Turtle validates, and the validator can fail
lv2_validate "$bundle"/*.ttl >"$dir/validate.txt" 2>&1
grep -q "Found 0 errors" "$dir/validate.txt" || { fail "lv2_validate"; tail "$dir/validate.txt"; }
mkdir "$dir/broken"
sed 's/lv2:index 0 ;/lv2:index "zero" ;/' "$bundle/gainstage.ttl" >"$dir/broken/gainstage.ttl"
lv2_validate "$dir/broken/gainstage.ttl" 2>&1 | grep -q "Found 0 errors" &&
  fail "lv2_validate passes a port whose index is a string"
echo "lv2_validate: $(grep Found "$dir/validate.txt")"

# --- lv2info: every plugin, a port per exposed parameter, ranges from the tables
python3 - "$gs" <<'PY' || fail "lv2info ports"
import re, subprocess, sys
gs = sys.argv[1]
def params(stage):
    out = subprocess.run([gs, "list", stage], capture_output=True, text=True).stdout
    return [l.split()[0] for l in out.splitlines()[3:] if l.strip()]
# plugin: [(stage, symbol prefix, parameters it fixes)]; docs/lv2.md
plugins = {
    "preamp": [("source", "in", "impedance inductance selfcap"), ("preamp", "pre", "select"),
               ("adc", "out", "")],
    "tonestack": [("source", "in", "type impedance inductance selfcap cable"),
                  ("tonestack", "tone", ""), ("gain", "rec", ""), ("adc", "out", "")],
    "poweramp": [("source", "in", "type impedance inductance selfcap cable"),
                 ("poweramp", "amp", ""), ("speaker", "spk", "output distance"),
                 ("gain", "box", ""), ("adc", "out", "")],
    "cab": [("source", "in", "type impedance inductance selfcap cable"), ("cab", "cab", "ir"),
            ("mic", "mic", ""), ("preamp", "micpre", "input select iec"), ("adc", "out", "")],
    "amp": [("source", "in", "type"), ("preamp", "pre", "input select iec"),
            ("tonestack", "tone", ""), ("gain", "rec", ""), ("poweramp", "amp", ""),
            ("cab", "cab", "ir normalize trim length mix"), ("mic", "mic", ""),
            ("preamp", "micpre", "input select iec"), ("adc", "out", "")],
}
bad = 0
for pid, slots in plugins.items():
    info = subprocess.run(["lv2info", "urn:gainstage:lv2:" + pid], capture_output=True,
                          text=True).stdout
    ports = {}
    for block in info.split("\tPort ")[1:]:
        sym = re.search(r"Symbol:\s+(\S+)", block).group(1)
        rng = [re.search(k + r":\s+(\S+)", block) for k in ("Minimum", "Maximum", "Default")]
        ports[sym] = [float(m.group(1)) if m else None for m in rng]
    want = ["in", "out", "latency"] + (["control", "notify"] if pid == "cab" else [])
    for stage, prefix, fixed in slots:
        want += [prefix + "_" + p for p in params(stage) if p not in fixed.split()]
    if sorted(ports) != sorted(want):
        print(pid, "ports differ: extra", set(ports) - set(want), "missing", set(want) - set(ports))
        bad += 1
    for sym, (lo, hi, de) in ports.items():
        if sym == "latency":  # an output: a range, no default
            if [lo, hi] != [0.0, 8192.0] or "reportsLatency" not in info.split(
                    "Symbol:      latency\n")[1].split("\tPort ")[0]:
                print(pid, "latency port", lo, hi)
                bad += 1
            continue
        if lo is not None and not lo <= de <= hi:
            print(pid, sym, "default outside its range", lo, de, hi)
            bad += 1
    print("lv2info %-9s %3d ports" % (pid, len(ports)))
spot = {"amp": {"pre_gain": [0, 70, 20], "cab_model": [0, 4, 1], "out_ref": [-20, 30, 18]},
        "preamp": {"in_type": [0, 7, 5], "pre_gain": [0, 70, 0], "pre_hpf": [0, 500, 0]}}
for pid, want in spot.items():
    info = subprocess.run(["lv2info", "urn:gainstage:lv2:" + pid], capture_output=True,
                          text=True).stdout
    for sym, (lo, hi, de) in want.items():
        block = info.split("Symbol:      " + sym + "\n")[1].split("\tPort ")[0]
        got = [float(re.search(k + r":\s+(\S+)", block).group(1))
               for k in ("Minimum", "Maximum", "Default")]
        if got != [lo, hi, de]:
            print(pid, sym, "range/default", got, "want", [lo, hi, de])
            bad += 1
sys.exit(1 if bad else 0)
PY

# --- the plugins give what the library gives (rms error re rms signal)
same() { # same A.wav B.wav LABEL
  sox -V1 "$1" -t f32 "$dir/a.raw" && sox -V1 "$2" -t f32 "$dir/b.raw" || { fail "$3: sox"; return; }
  python3 - "$dir/a.raw" "$dir/b.raw" "$3" <<'PY' || fail "$3: differs from gainstage process"
import array, math, sys
a, b = array.array("f"), array.array("f")
a.frombytes(open(sys.argv[1], "rb").read()); b.frombytes(open(sys.argv[2], "rb").read())
n = min(len(a), len(b))
err = math.sqrt(sum((a[i] - b[i]) ** 2 for i in range(n)) / n)
sig = math.sqrt(sum(b[i] ** 2 for i in range(n)) / n)
rel = err / sig if sig > 0 else float("inf")
print("%-34s %7d samples, rms error %.2e of the signal" % (sys.argv[3], n, rel))
sys.exit(0 if len(a) == len(b) and sig > 1e-4 and rel <= 1e-6 else 1)
PY
}
check() { # check ID "CONTROLS" "CHAIN" [lv2apply|lv2host]
  id=$1 controls=$2 chain=$3 how=$4
  "$gs" process -q -c "$chain" "$dir/di.wav" "$dir/cli.wav" || { fail "$id: process"; return; }
  args=
  for c in $controls; do args="$args -c ${c%%=*} ${c#*=}"; done
  if [ "$how" = lv2apply ]; then
    lv2apply -i "$dir/di.wav" -o "$dir/plug.wav" $args "$URI:$id" || { fail "$id: lv2apply"; return; }
  else
    "$host" $args "$URI:$id" "$dir/di.wav" "$dir/plug.wav" || { fail "$id: lv2host"; return; }
  fi
  same "$dir/plug.wav" "$dir/cli.wav" "$id via $how"
}
LINE="source type=line fs_volts=18dBu"
check preamp "pre_gain=6 pre_hpf=80" "$LINE ! preamp input=line gain=6 hpf=80 ! adc" lv2apply
check tonestack "tone_model=1 tone_bass=0.7" \
  "$LINE ! tonestack model=marshall bass=0.7 ! gain db=14 ! adc" lv2apply
check poweramp "amp_watts=50 spk_qes=0.6" \
  "$LINE ! poweramp watts=50 ! speaker output=terminals qes=0.6 ! gain db=-20 ! adc" lv2apply
AMP="source type=guitar ! preamp input=hiz gain=10 ! tonestack treble=0.4 ! gain db=14 ! \
poweramp ! cab model=open-1x12 ! mic ! preamp input=mic ! adc"
check amp "pre_gain=10 tone_treble=0.4 cab_model=0" "$AMP" lv2apply
check amp "pre_gain=10 tone_treble=0.4 cab_model=0" "$AMP" lv2host
check cab "cab_model=2 mic_type=2" \
  "source type=line fs_volts=40 ! cab model=closed-4x12 ! mic type=ribbon ! preamp input=mic ! adc" \
  lv2host
# the IR file, sent as a patch:Set through the worker
"$gs" process -q -c "cab ir=$dir/ir.wav" "$dir/di.wav" "$dir/cli.wav" || fail "cab ir: process"
"$host" --ir "$dir/ir.wav" "$URI:cab" "$dir/di.wav" "$dir/plug.wav" || fail "cab ir: lv2host"
same "$dir/plug.wav" "$dir/cli.wav" "cab with an IR file via lv2host"
# the notify port tells what IR runs, and holds a sequence after every run
"$host" --notify --ir "$dir/ir.wav" "$URI:cab" "$dir/di.wav" "$dir/plugn.wav" >"$dir/notify.txt" ||
  fail "cab ir: lv2host --notify"
grep -qx "notify $dir/ir.wav" "$dir/notify.txt" ||
  fail "the notify port did not name the IR: $(cat "$dir/notify.txt")"
# block sizes change nothing
"$host" -b 1 --ir "$dir/ir.wav" "$URI:cab" "$dir/di.wav" "$dir/plug1.wav" || fail "lv2host -b 1"
same "$dir/plug1.wav" "$dir/cli.wav" "the same, one frame per run"
# atom buffers off the 8-byte boundary the atom spec asks of hosts (jalv
# 1.6's are): the plugin reads its messages from an aligned copy (under
# UBSan, in the sanitized suite, a misaligned read would stop it)
"$host" --misalign --ir "$dir/ir.wav" "$URI:cab" "$dir/di.wav" "$dir/plugm.wav" ||
  fail "lv2host --misalign"
same "$dir/plugm.wav" "$dir/cli.wav" "the same, atom buffers 4 bytes off"
# LV2_PATH relative to where the host runs (lilv crashes on one: lv2host
# makes it absolute first)
(cd "$(dirname "$(dirname "$bundle")")" &&
  LV2_PATH="$(basename "$(dirname "$bundle")")" "$host" --ir "$dir/ir.wav" "$URI:cab" \
    "$dir/di.wav" "$dir/plugr.wav") || fail "lv2host with a relative LV2_PATH"
same "$dir/plugr.wav" "$dir/cli.wav" "the same, LV2_PATH relative"

# --- warnings: a chain reports what its stages counted when it is retired
# (here, as the host frees the plugin: lv2apply has no worker), as
# `gainstage process` does
python3 "$(dirname "$0")/nan_wav.py" "$dir/nan.wav" || fail "nan_wav.py"
lv2apply -i "$dir/nan.wav" -o "$dir/nan_out.wav" -c pre_gain 40 "$URI:preamp" 2>"$dir/warn.txt" ||
  fail "lv2apply of NaN samples"
grep -q "100 non-finite input samples" "$dir/warn.txt" || fail "no NaN warning: $(cat "$dir/warn.txt")"
grep -q "stage 2 (preamp): output clipped" "$dir/warn.txt" ||
  fail "no clipping warning: $(cat "$dir/warn.txt")"
echo "lv2apply, NaN samples and 40 dB of gain: $(tr '\n' ' ' <"$dir/warn.txt")"

# ... and, with a worker, once a second of audio while it plays: 3 s of
# the same clipping give three reports of at most a second's samples each
# (one report of ~138000 at the end without them)
python3 "$(dirname "$0")/nan_wav.py" "$dir/nan3.wav" 3 || fail "nan_wav.py 3"
"$host" -c pre_gain 40 "$URI:preamp" "$dir/nan3.wav" "$dir/nan_out.wav" 2>"$dir/warn.txt" ||
  fail "lv2host of NaN samples"
grep -q "100 non-finite input samples" "$dir/warn.txt" || fail "lv2host: no NaN warning"
counts=$(sed -n 's/.*(preamp): output clipped .* in \([0-9]*\) samples.*/\1/p' "$dir/warn.txt")
[ "$(echo "$counts" | wc -w)" -eq 3 ] || fail "lv2host: not 3 clipping reports: $counts"
for c in $counts; do
  [ "$c" -gt 40000 ] && [ "$c" -le 48000 ] || fail "lv2host: a report of $c samples, not one second's"
done
echo "lv2host, 3 s of NaN samples and 40 dB of gain, clipping reported per second: $counts"

# --- a fixed parameter moved while it plays: the chain built for it fades
# in. A quiet sine through the class-D power amp (amp_type 1), its output
# stage moved from 2x to 8x oversampling at 0.5 s: its latency moves from
# 62 to 73 samples, and the wave jumped where the chains were cut over. The largest second difference in
# the 80 ms after the move stays within twice the largest in the 200 ms
# before it (a cut gave 49 times).
sox -V1 -n -r 48000 -c 1 -b 24 "$dir/sine.wav" synth 1 sine 220 vol 0.005 || fail "sox sine"
"$host" -c amp_type 1 -c amp_quality 2 --change 24000 amp_quality 4 "$URI:poweramp" \
  "$dir/sine.wav" "$dir/swap.wav" 2>/dev/null || fail "lv2host, amp_quality moved"
sox -V1 "$dir/swap.wav" -t f32 "$dir/swap.raw" || fail "sox swap"
python3 - "$dir/swap.raw" <<'PY' || fail "a click where the new chain came in"
import array, sys
y = array.array("f")
y.frombytes(open(sys.argv[1], "rb").read())
d2 = [abs(y[i] - 2 * y[i - 1] + y[i - 2]) for i in range(2, len(y))]
at = 24000
before, after = max(d2[at - 12000:at - 2000]), max(d2[at:at + 4000])
print("a new chain at 0.5 s: second difference %.2g after, %.2g before" % (after, before))
sys.exit(0 if after <= 2 * before else 1)
PY
# A live value past where quality=auto would have built otherwise: the
# tube power amp's feedback moved from 6 dB (4x) to 20 dB (8x) at 0.25 s
# gets the 8x chain. A 5 kHz sine at 28 % of full scale (8.5 % THD): its
# aliases as far down as in the amp built at 20 dB (-80.9 dBc; kept at 4x
# they were at -66.5).
python3 -c "import sys; sys.path.insert(0, '$root/bench'); import measure
print('%.6f' % measure.on_bin(5000))" >"$dir/f5k" || fail "the 5 kHz bin"
f5k=$(cat "$dir/f5k")
sox -V1 -n -r 48000 -c 1 -b 24 "$dir/t5k.wav" synth 3 sine "$f5k" vol 0.2 || fail "sox 5 kHz"
alias_of() { # alias_of OUT.wav: the strongest spur, dBc
  "$gs" measure --file "$1" --freq "$f5k" --json | python3 -c "
import json, sys; print(json.load(sys.stdin)['channels'][0]['alias_dbc'])"
}
"$host" -c amp_type 2 -c amp_feedback 20 "$URI:poweramp" "$dir/t5k.wav" "$dir/fb20.wav" \
  2>/dev/null || fail "lv2host, feedback 20"
"$host" -c amp_type 2 -c amp_feedback 6 --change 12000 amp_feedback 20 "$URI:poweramp" \
  "$dir/t5k.wav" "$dir/fb6to20.wav" 2>/dev/null || fail "lv2host, feedback 6 then 20"
built=$(alias_of "$dir/fb20.wav") moved=$(alias_of "$dir/fb6to20.wav")
echo "5 kHz aliases: feedback 20 dB at build $built dBc, moved there live $moved dBc"
python3 -c "import sys; sys.exit(0 if abs($built - ($moved)) <= 1.0 else 1)" ||
  fail "feedback moved live to 20 dB: aliases at $moved dBc, built there $built dBc"

# --- odd control values. A NaN on a port set at build is kept, and said
# once, not rebuilt for at every block (it was: 189 times a second).
"$host" -c cab_model nan "$URI:cab" "$dir/di.wav" "$dir/nanport.wav" 2>"$dir/warn.txt" ||
  fail "lv2host, a NaN on cab_model"
[ "$(grep -c "outside its range" "$dir/warn.txt")" -eq 1 ] ||
  fail "a NaN on cab_model: not one warning: $(sort "$dir/warn.txt" | uniq -c)"
# A value inside the range the TTL declares does something, live and at
# build: between 0 (off) and the least real value, that value (10 Hz).
"$host" -c pre_hpf 10 "$URI:preamp" "$dir/di.wav" "$dir/hpf10.wav" || fail "lv2host hpf 10"
"$host" -c pre_hpf 5 "$URI:preamp" "$dir/di.wav" "$dir/hpf5.wav" 2>"$dir/warn.txt" ||
  fail "lv2host hpf 5"
[ -s "$dir/warn.txt" ] && fail "pre_hpf 5: $(cat "$dir/warn.txt")"
same "$dir/hpf5.wav" "$dir/hpf10.wav" "pre_hpf 5 Hz at build, as 10 Hz"
"$host" -c pre_hpf 200 --change 0 pre_hpf 5 "$URI:preamp" "$dir/di.wav" "$dir/hpf5l.wav" ||
  fail "lv2host hpf 200 then 5"
"$host" -c pre_hpf 200 --change 0 pre_hpf 10 "$URI:preamp" "$dir/di.wav" "$dir/hpf10l.wav" ||
  fail "lv2host hpf 200 then 10"
same "$dir/hpf5l.wav" "$dir/hpf10l.wav" "pre_hpf moved live to 5 Hz, as to 10 Hz"

# A rate the chain cannot run at: instantiate() refuses, so the host can say so.
sox -V1 -n -r 4000 -c 1 "$dir/r4k.wav" synth 0.1 sine 440 || fail "sox r4k"
"$host" "$URI:amp" "$dir/r4k.wav" "$dir/r4k_out.wav" 2>"$dir/warn.txt" &&
  fail "the amp instantiated at 4 kHz"
grep -q "4000 Hz is outside 8 kHz to 384 kHz" "$dir/warn.txt" ||
  fail "4 kHz: no message: $(cat "$dir/warn.txt")"

# --- latency: every plugin reports its chain's on its latency port, and
# the output is the library's delayed by that much (gainstage process
# removes it): the preamp voiced tube runs oversampled
latency_of() { # latency_of CHAIN: what the chain reports
  "$gs" measure -c "$1" --json 2>/dev/null | python3 -c "
import json,sys; print(json.load(sys.stdin)['latency_reported'])"
}
TUBE="$LINE ! preamp input=line gain=20 voicing=tube ! adc"
want=$(latency_of "$TUBE")
[ "${want:-0}" -gt 0 ] || fail "the tube preamp reports no latency ($want)"
got=$("$host" --latency -c pre_gain 20 -c pre_voicing 2 "$URI:preamp" "$dir/di.wav" \
  "$dir/plug.wav" | sed -n 's/^latency //p')
[ "$got" = "$want" ] || fail "preamp voiced tube: latency port $got, the chain reports $want"
got=$("$host" --latency "$URI:preamp" "$dir/di.wav" "$dir/plug.wav" | sed -n 's/^latency //p')
[ "$got" = 0 ] || fail "preamp solid-state: latency port $got, want 0"
"$host" -c pre_gain 20 -c pre_voicing 2 "$URI:preamp" "$dir/di.wav" "$dir/plug.wav" ||
  fail "tube preamp: lv2host"
"$gs" process -q -c "$TUBE" "$dir/di.wav" "$dir/cli.wav" || fail "tube preamp: process"
sox -V1 "$dir/plug.wav" "$dir/plug-late.wav" trim "${want}s" || fail "sox trim latency"
sox -V1 "$dir/cli.wav" "$dir/cli-early.wav" trim 0 "-${want}s" || fail "sox trim end"
same "$dir/plug-late.wav" "$dir/cli-early.wav" "tube preamp, $want frames late"
echo "latency port: preamp voiced tube reports $want frames"

# --- factory presets: the amp's are the rigs of presets/, value for value
# (process lines its output up with the input; the plugin is late by the
# latency it reports)
for rig in jazz-clean crunch high-gain; do
  "$gs" process -q -p "$root/presets/$rig.preset" "$dir/di.wav" "$dir/cli.wav" || fail "$rig"
  late=$("$host" --latency --preset "$URI:amp#$rig" "$URI:amp" "$dir/di.wav" "$dir/plug.wav" |
    sed -n 's/^latency //p') || fail "lv2host --preset $rig"
  if [ "${late:-0}" -gt 0 ]; then
    sox -V1 "$dir/plug.wav" "$dir/plug-late.wav" trim "${late}s" || fail "sox trim $rig"
    sox -V1 "$dir/cli.wav" "$dir/cli-early.wav" trim 0 "-${late}s" || fail "sox trim $rig"
  else
    cp "$dir/plug.wav" "$dir/plug-late.wav" && cp "$dir/cli.wav" "$dir/cli-early.wav"
  fi
  same "$dir/plug-late.wav" "$dir/cli-early.wav" "amp preset $rig ($late frames late)"
done

# --- state: the IR path survives a save and a restore
"$host" --ir "$dir/ir.wav" --save-state "$dir/state" -c cab_mix 0.5 "$URI:cab" "$dir/di.wav" \
  "$dir/saved.wav" || fail "save state"
grep -q "ir.wav" "$dir/state/state.ttl" || fail "the saved state does not name the IR file"
"$host" --load-state "$dir/state" "$URI:cab" "$dir/di.wav" "$dir/restored.wav" ||
  fail "restore state"
same "$dir/restored.wav" "$dir/saved.wav" "state round trip (IR, mix 0.5)"

# --- run() is real-time safe: no allocation, lock or file call inside it
rt() { # rt ID ARGS...: lv2host under the interposer
  id=$1
  shift
  RT_INTERPOSE_REPORT="$dir/rt.txt" LD_PRELOAD="$interposer" "$host" --rt-check "$@" \
    "$URI:$id" "$dir/di.wav" "$dir/rt.wav" || { fail "rt $id: lv2host"; return; }
  echo "run() of $id: $(cat "$dir/rt.txt")"
  case "$(cat "$dir/rt.txt")" in
    process_calls=0*) fail "rt $id: the interposer saw no run()" ;;
    *" forbidden=0") ;;
    *) fail "rt $id: forbidden calls in run()" ;;
  esac
}
if [ -z "$sanitized" ]; then
  RT_INTERPOSE_SELFTEST=1 RT_INTERPOSE_REPORT="$dir/rt.txt" LD_PRELOAD="$interposer" \
    "$host" --rt-check "$URI:preamp" "$dir/short.wav" "$dir/rt.wav"
  grep -q "malloc=1" "$dir/rt.txt" || fail "the interposer's self-test: $(cat "$dir/rt.txt")"
  rt preamp --change 20000 pre_gain 30 --change 40000 pre_input 0 --change 60000 pre_hpf 100
  rt tonestack --change 20000 tone_bass 0.9 --change 40000 tone_model 2
  rt poweramp --change 20000 amp_watts 20 --change 40000 amp_type 1
  rt cab --ir "$dir/ir.wav" --change 20000 cab_mix 0.3 --change 40000 cab_model 3
  rt amp --change 20000 pre_gain 40 --change 40000 cab_model 2 --change 60000 mic_angle 90

  # --- valgrind: no memory error in either host
  for id in preamp tonestack poweramp amp; do
    valgrind -q --error-exitcode=1 lv2apply -i "$dir/short.wav" -o "$dir/v.wav" "$URI:$id" \
      2>"$dir/vg.txt" || { fail "valgrind lv2apply $id"; head -30 "$dir/vg.txt"; }
  done
  valgrind -q --error-exitcode=1 "$host" --ir "$dir/ir.wav" "$URI:cab" "$dir/short.wav" \
    "$dir/v.wav" 2>"$dir/vg.txt" || { fail "valgrind lv2host cab"; head -30 "$dir/vg.txt"; }
  valgrind -q --error-exitcode=1 "$host" "$URI:cab" "$dir/short.wav" "$dir/v.wav" \
    2>"$dir/vg.txt" || { fail "valgrind lv2host cab model"; head -30 "$dir/vg.txt"; }
  echo "valgrind: lv2apply of preamp, tonestack, poweramp, amp and lv2host of cab: checked"
fi

# --- jalv on a dummy jackd
export JACK_DEFAULT_SERVER="gs-lv2-test" # fixed: see jackd.sh
. "$(dirname "$0")/jackd.sh"
start_jackd 1024 || fail "jackd did not start"
"$gs" synth guitar --seconds 20 "$dir/di20.wav" >/dev/null
# A virtual machine's scheduler may stall a thread for longer than a
# period (here a 1 ms sleep has woken up to 18 ms late), and that is an
# xrun whatever the clients do. jack_io's probe thread reports such stalls
# while the file plays. Up to five runs, each reported: a run without an
# xrun passes; xruns with no stall beside them fail (the plugin's fault);
# if every run had xruns and stalls, the figure could not be measured on
# this machine: said loudly, not failed.
jalv_run() { # jalv_run NAME IN.wav OUT.wav JALV-ARGS...
  name=$1 in=$2 out=$3
  shift 3
  stalled=0
  for attempt in 1 2 3 4 5; do
    jalv -i -n "$name" "$@" >"$dir/jalv.txt" 2>&1 &
    jalv_pid=$!
    "$jackio" --play "$in" --to "$name:in" --from "$name:out" --record "$out" \
      >"$dir/io.txt" 2>&1
    rc=$?
    kill "$jalv_pid" 2>/dev/null
    wait "$jalv_pid" 2>/dev/null
    echo "jalv $name, 1024 frames, run $attempt: $(tr '\n' ' ' <"$dir/io.txt")"
    if ! grep -q "^xruns" "$dir/io.txt"; then
      echo "  jack_io exit status $rc; jalv said:"
      tail -5 "$dir/jalv.txt"
      continue
    fi
    grep -q "^xruns 0$" "$dir/io.txt" && return 0
    if grep -q "^stalls 0$" "$dir/io.txt"; then
      fail "$name: xruns under jalv while the machine did not stall"
      return 1
    fi
    stalled=$((stalled + 1))
  done
  echo "NOTE: $name: every run had xruns while this machine stalled threads for" \
    "longer than a period; the xrun figure could not be measured here"
  return 0
}
jalv_run gsamp "$dir/di20.wav" "$dir/amp20.wav" "$URI:amp"
python3 -c "
import os,sys; n = os.path.getsize(sys.argv[1]); sys.exit(0 if n > 4 * 48000 * 19 else 1)" \
  "$dir/amp20.wav" || fail "the Amp's 20 s did not come back"
jalv_run gscab "$dir/di.wav" "$dir/jalv-cab.wav" -l "$dir/state" "$URI:cab"
if grep -q "^xruns 0$" "$dir/io.txt"; then
  same "$dir/jalv-cab.wav" "$dir/saved.wav" "jalv playing the saved Cabinet state"
else
  echo "NOTE: jalv playing the saved Cabinet state: not compared (xruns garble the recording)"
fi

if [ $failures -ne 0 ]; then
  echo "$failures failures"
  exit 1
fi
echo "all LV2 checks passed"

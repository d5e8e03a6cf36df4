#!/bin/sh
# The analyzer through a JACK loopback (`measure --jack-out --jack-in`) on a
# dummy jackd of our own, against tests/jack_gaindelay.c, a client whose
# transfer is known: a gain of GAIN_DB and a delay of DELAY samples (not a
# multiple of the period), which it reports through JACK's latency API.
# The period is 1024: shorter ones see xruns on a loaded machine (each
# spoiled stimulus is played again, which costs time).
# The analyzer must read the gain within 0.05 dB, the latency exactly, THD
# at float rounding, and print every key of the JSON contract. Without a
# server it fails at once (exit 1); an unknown port is bad usage (exit 2)
# and the message lists the ports there are; a server that stalls
# mid-measurement fails the run (exit 1) instead of hanging it.
# Arguments: gainstage, jack_gaindelay.
set -u
gs=$1 gaindelay=$2
GAIN_DB=-7.3 DELAY=37
dir=$(mktemp -d)
jackd_pid= gd_pid=
server="gs-loop-test" # fixed: see jackd.sh
cleanup() {
  [ -n "$gd_pid" ] && kill "$gd_pid" 2>/dev/null && wait "$gd_pid" 2>/dev/null
  [ -n "$jackd_pid" ] && kill -CONT "$jackd_pid" 2>/dev/null && kill "$jackd_pid" 2>/dev/null
  wait 2>/dev/null
  rm -f /dev/shm/jack_sem.*_"$server"_*
  rm -rf "$dir"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect CODE NAME COMMAND...: the command exits CODE within 20 s
expect() {
  want=$1 name=$2
  shift 2
  timeout 20 "$@" >"$dir/out.txt" 2>"$dir/err.txt"
  rc=$?
  [ "$rc" -eq "$want" ] || { fail "$name: exit $rc, want $want"; cat "$dir/err.txt"; }
}

# --- usage, before any server is asked
expect 2 "--jack-out alone" "$gs" measure --jack-out a:in
expect 2 "--jack-in alone" "$gs" measure --jack-in a:out
expect 2 "--jack-* with -c" "$gs" measure -c "gain" --jack-out a:in --jack-in a:out
expect 2 "--jack-* with --rate" "$gs" measure --rate 96000 --jack-out a:in --jack-in a:out

# --- no server: a message and exit 1, never a hang
export JACK_DEFAULT_SERVER="$server"
expect 1 "no server" "$gs" measure --jack-out a:in --jack-in a:out --json
grep -q "no JACK server running" "$dir/err.txt" || fail "no server: message"
echo "no server: $(cat "$dir/err.txt")"

# --- a dummy server and the client under test
. "$(dirname "$0")/jackd.sh"
start_jackd 1024 || { fail "jackd did not start"; exit 1; }
"$gaindelay" gaindelay "$GAIN_DB" "$DELAY" >"$dir/gd.txt" 2>&1 &
gd_pid=$!
for _ in $(seq 100); do
  jack_lsp 2>/dev/null | grep -q "^gaindelay:out$" && break
  sleep 0.1
done
jack_lsp 2>/dev/null | grep -q "^gaindelay:out$" || fail "jack_gaindelay did not start"

# --- unknown ports: exit 2, the name and what there is
expect 2 "unknown port" "$gs" measure --jack-out nosuch:in --jack-in gaindelay:out
grep -q "nosuch:in" "$dir/err.txt" && grep -q "gaindelay:in" "$dir/err.txt" ||
  fail "unknown port: message names it and lists gaindelay:in"
echo "unknown port: $(cat "$dir/err.txt")"
expect 2 "output as --jack-out" "$gs" measure --jack-out gaindelay:out --jack-in gaindelay:out

# --- the measurement
start=$(date +%s)
timeout 120 "$gs" measure --jack-out gaindelay:in --jack-in gaindelay:out --freq 1000 \
  --level -12dBFS --json >"$dir/m.json" 2>"$dir/m.err"
rc=$?
echo "measurement: exit $rc in $(($(date +%s) - start)) s"
[ "$rc" -eq 0 ] || { fail "measure exit $rc"; cat "$dir/m.err"; }
[ -s "$dir/m.err" ] && { echo "stderr:"; cat "$dir/m.err"; }
python3 - "$dir/m.json" "$GAIN_DB" "$DELAY" <<'PY' || fail "figures"
import json, sys
m = json.load(open(sys.argv[1]))
gain, delay = float(sys.argv[2]), int(sys.argv[3])
keys = ["rate", "freq_hz", "level", "gain_db", "output", "harmonics", "thd_pct", "thd_n_pct",
        "noise", "ein_dbu", "snr_db", "dc_v", "latency_samples", "latency_reported",
        "response", "phase", "harmonic_response", "max_output", "alias_dbc", "sweep"]
bad = [k for k in keys if k not in m]
bad += ["output." + k for k in ["vpk", "vrms", "dbu"] if k not in m["output"]]
bad += ["noise." + k for k in ["vrms", "dbu", "dbu_a"] if k not in m["noise"]]
bad += ["max_output." + k for k in ["vpk", "watts"] if k not in m["max_output"]]
ok = not bad
if bad:
    print("missing keys:", bad)
err = m["gain_db"] - gain
print(f"rate {m['rate']:.0f}, level {m['level']['value']} {m['level']['unit']}, "
      f"output {m['output']['dbfs']:.3f} dBFS")
print(f"gain {m['gain_db']:.7f} dB (set {gain}, error {err:+.1e} dB)")
print(f"latency {m['latency_samples']} samples measured, {m['latency_reported']} reported "
      f"(set {delay})")
print(f"THD {m['thd_pct']:.2e} %, THD+N {m['thd_n_pct']:.2e} %")
flat = max(abs(db) for hz, db in m["response"] if 20 <= hz <= 20000)
print(f"response 20 Hz-20 kHz within {flat:.3f} dB")
checks = [
    (abs(err) <= 0.05, "gain within 0.05 dB"),
    (m["latency_samples"] == delay, "latency_samples exactly the delay"),
    (m["latency_reported"] == delay, "latency_reported: the client's, through JACK"),
    (m["thd_pct"] < 1e-3, "THD tiny"),
    (m["level"]["unit"] == "dBFS" and m["level"]["value"] == -12, "level in dBFS"),
    (m["rate"] == 48000, "the server's rate"),
    (flat < 0.05, "flat response"),
    (m["output"]["dbu"] is None and m["ein_dbu"] is None, "analog keys null"),
]
for good, what in checks:
    if not good:
        print("FAIL:", what)
        ok = False
sys.exit(0 if ok else 1)
PY

# --- the server stalls mid-measurement (SIGSTOP): exit 1 with a message
# within a few seconds, no hang. (Not SIGTERM: jackd 1.9.21 writing to the
# sockets of clients that left as it shut down dies of SIGPIPE and leaves its
# name in the shm registry, which holds 8.)
start=$(date +%s)
timeout 60 "$gs" measure --jack-out gaindelay:in --jack-in gaindelay:out --json \
  >/dev/null 2>"$dir/stall.err" &
m_pid=$!
sleep 3
kill -STOP "$jackd_pid"
wait "$m_pid"
rc=$?
kill -CONT "$jackd_pid"
sleep 1 # jackd drops the clients that left while it stalled before it is stopped
[ "$rc" -eq 1 ] || fail "server stalled: exit $rc, want 1 (124: a hang)"
grep -q "timed out" "$dir/stall.err" || fail "server stalled: message"
echo "server stalled: exit $rc after $(($(date +%s) - start)) s: $(grep JACK "$dir/stall.err")"

# stop both here, so a jackd that fails to stop cleanly is seen (it would
# leave its name in the shm registry)
kill "$gd_pid" && wait "$gd_pid"
gd_pid=
kill "$jackd_pid" && wait "$jackd_pid"
rc=$?
jackd_pid=
[ "$rc" -eq 0 ] || echo "warning: jackd exit $rc"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all loopback checks passed"

# Sourced by the JACK tests: a dummy jackd of the test's own at 48 kHz.
# The caller sets JACK_DEFAULT_SERVER to a fixed name (jackd keeps a short
# list of server names in /dev/shm, and a server that dies uncleanly holds
# its entry until one of the same name runs) and $dir.
# start_jackd PERIOD: sets jackd_pid; false (the log printed) if it did not
# come up within 10 s.
start_jackd() {
  jackd -n "$JACK_DEFAULT_SERVER" -r -d dummy -r 48000 -p "$1" >"$dir/jackd.txt" 2>&1 &
  jackd_pid=$!
  jack_wait -w -t 10 >/dev/null 2>&1 && return 0
  echo "jackd did not start:"
  cat "$dir/jackd.txt"
  return 1
}

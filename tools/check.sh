#!/bin/sh
# `make check`: the whole suite on the build, then the whole suite again on
# a clang build under AddressSanitizer + UndefinedBehaviorSanitizer (every
# report fatal), then the rig's threaded tests (suite "threads": the
# recorder, the rig on JACK, its UI) on a ThreadSanitizer build; all
# the while each fuzz target runs for FUZZ_SECONDS (niced: it takes the
# core the real-time JACK tests leave idle). Ends with "N passed, N failed".
#   tools/check.sh BUILD [TEST...]   (tests named: those only, no fuzzing)
# Environment: FUZZ_SECONDS (default 60; 0: no fuzzing).
set -u
cd "$(dirname "$0")/.."
B=$1
shift
SAN=$B-san
TSAN=$B-tsan
FUZZ_BUILD=$B-fuzz
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
[ $# -gt 0 ] && FUZZ_SECONDS=0
# ngspice runs once per netlist: the sanitized suite reuses its results
export GS_SPICE_CACHE="$PWD/$B/spice-cache"
rm -rf "$GS_SPICE_CACHE" "$B/fuzz-results.txt" "$SAN/meson-logs/testlog.json" \
  "$TSAN/meson-logs/testlog.json"

if [ "$FUZZ_SECONDS" -gt 0 ]; then
  FUZZ_BUILD=$FUZZ_BUILD FUZZ_SECONDS=$FUZZ_SECONDS FUZZ_RESULTS=$PWD/$B/fuzz-results.txt \
    nice -n 19 ./tools/fuzz.sh >"$B/fuzz.log" 2>&1 &
  fuzz_pid=$!
fi

# suite DIR [MESON TEST ARGS]: runs it, lists results, shows failures' logs
suite() {
  dir=$1
  shift
  meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" >"$dir/check.log" 2>&1
  status=$?
  grep -E '^ *[0-9]+/[0-9]+ ' "$dir/check.log"
  [ $status -ne 0 ] && sed -n '/^=* [0-9]*\/[0-9]* =*$/,$p' "$dir/check.log" | head -200
  return 0
}

# configure DIR SANITIZERS: a clang build with them, reports fatal
configure() {
  [ -f "$1/build.ninja" ] && return 0
  CC=clang meson setup "$1" -Db_sanitize="$2" -Db_lundef=false \
    -Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all \
    >"$1.setup.log" 2>&1 || { cat "$1.setup.log"; return 1; }
  rm -f "$1.setup.log"
}

echo "== the suite"
suite "$B" "$@"

echo "== the suite under AddressSanitizer + UndefinedBehaviorSanitizer ($SAN)"
if configure "$SAN" address,undefined && ninja -C "$SAN" >"$SAN.build.log" 2>&1; then
  # hosts we do not build (lv2apply, jalv) load our plugins with the
  # sanitizer's runtime preloaded; valgrind cannot run sanitized programs
  GS_SANITIZED=1 GS_SAN_PRELOAD=$(clang -print-file-name=libclang_rt.asan-x86_64.so) \
    ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$PWD/tools/lsan.supp \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    suite "$SAN" --no-suite memcheck "$@"
else
  tail -30 "$SAN.build.log"
  echo "FAIL: the sanitized build"
fi

# tests named: the threaded ones among them, if any
THREADED="test_recorder test_rig_jack test_rig_ui"
tsan_tests=
for t in "$@"; do case " $THREADED " in *" $t "*) tsan_tests="$tsan_tests $t" ;; esac; done
TSAN_LOG="$TSAN/meson-logs/testlog.json"
if [ $# -gt 0 ] && [ -z "$tsan_tests" ]; then
  TSAN_LOG=
else
  echo "== the threaded tests under ThreadSanitizer ($TSAN)"
  # what those tests run, only
  if configure "$TSAN" thread && ninja -C "$TSAN" cli/gainstage tests/test_recorder \
    tests/jack_io tests/rt_interpose.so >"$TSAN.build.log" 2>&1; then
    # shellcheck disable=SC2086
    GS_SANITIZED=1 TSAN_OPTIONS=halt_on_error=1:suppressions=$PWD/tools/tsan.supp \
      suite "$TSAN" --no-rebuild --suite threads $tsan_tests
  else
    tail -30 "$TSAN.build.log"
    echo "FAIL: the ThreadSanitizer build"
  fi
fi

if [ -n "${fuzz_pid:-}" ]; then
  wait "$fuzz_pid" || grep -q FAILED "$B/fuzz-results.txt" 2>/dev/null ||
    echo "fuzzing FAILED" >>"$B/fuzz-results.txt"
  echo "== fuzzing, $FUZZ_SECONDS s per target (log $B/fuzz.log)"
  cat "$B/fuzz.log" # a failure's reason and input are there: the fuzz dirs are not kept
fi

# shellcheck disable=SC2086
python3 tools/check_summary.py "$B/meson-logs/testlog.json" "$SAN/meson-logs/testlog.json" \
  $TSAN_LOG "$B/fuzz-results.txt"

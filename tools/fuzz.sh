#!/bin/sh
# Build the libFuzzer targets in tests/fuzz/ with clang + ASan + UBSan and
# run each for FUZZ_SECONDS (default 60) on a copy of its seed corpus,
# after replaying its kept regression inputs. Fails on any crash, leak,
# timeout or out-of-memory; prints executions per target.
#   tools/fuzz.sh [TARGET...]      (default: every tests/fuzz/fuzz_*.c)
# Environment: FUZZ_BUILD (build dir, default build-fuzz), FUZZ_SECONDS,
# FUZZ_RESULTS (a file to append "fuzz_NAME ok|FAILED" lines to).
set -eu
cd "$(dirname "$0")/.."
B=${FUZZ_BUILD:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
CC=${FUZZ_CC:-clang}
F=tests/fuzz

# The library and the rig built by clang with sanitizers and coverage
# (fuzzer-no-link), so libFuzzer sees their branches. werror off: the fuzz
# build only has to link, and clang warns where gcc does not.
configure() {
  if [ ! -f "$B/build.ninja" ]; then
    CC=$CC meson setup "$B" -Db_sanitize=address,undefined -Db_lundef=false \
      -Dwerror=false -Dc_args=-fsanitize=fuzzer-no-link >"$B.setup.log" 2>&1 ||
      { cat "$B.setup.log"; exit 1; }
    rm -f "$B.setup.log"
  fi
  ninja -C "$B" src/libgainstage_internal.a jack/libgsjack.a >/dev/null
}

# fuzz_level also reaches the CLI's number parsers in cli/cli.c.
build_target() {
  extra=
  [ "$1" = level ] && extra=cli/cli.c
  # shellcheck disable=SC2046,SC2086
  $CC -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc -I. -Ijack -Icli -I"$B" \
    "$F/fuzz_$1.c" $extra "$B/jack/libgsjack.a" "$B/src/libgainstage_internal.a" \
    $(pkg-config --libs sndfile fftw3 fftw3f samplerate cairo jack ncursesw) \
    -lm -lpthread -ldl -o "$B/fuzz_$1"
}

# Longest input worth trying per format.
max_len() {
  case $1 in
    ir) echo 16384 ;; rig) echo 8192 ;; spec) echo 4096 ;; midi) echo 512 ;; *) echo 128 ;;
  esac
}

replay() {
  dir=$F/regressions/$1
  [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ] || return 0
  "$B/fuzz_$1" -rss_limit_mb=2048 -timeout=10 "$dir"/* >"$B/fuzz-$1.replay.log" 2>&1 ||
    { tail -40 "$B/fuzz-$1.replay.log"; echo "fuzz_$1: a regression input fails"; return 1; }
  echo "fuzz_$1: $(ls "$dir" | wc -l) regression inputs pass"
}

# The IR target's seeds are small audio files, made here with sox (the
# repository keeps no generated audio): one option byte (normalize, trim,
# length), then the file.
ir_seeds() {
  seed() { # seed NAME OPTION-BYTE SOX-OUTPUT-ARGS...
    name=$1 opt=$2
    shift 2
    printf "\\$opt" >"$work/$name"
    sox -V1 -n "$@" - synth 0.02 sine 1000 fade 0 0.02 0.019 >>"$work/$name"
  }
  seed f48.wav 003 -r 48000 -c 1 -b 32 -e float -t wav
  seed t22050.wav 000 -r 22050 -c 1 -b 8 -e unsigned -t wav
  seed t44100.wav 005 -r 44100 -c 2 -b 24 -t wav
  seed t48000.wav 000 -r 48000 -c 1 -b 16 -t wav
  seed t96000.wav 000 -r 96000 -c 1 -b 32 -e signed -t wav
  seed t8000.aiff 013 -r 8000 -c 1 -b 16 -t aiff
  seed flac.flac 000 -r 48000 -c 1 -b 16 -t flac
}

run_target() {
  work=$B/fuzz-corpus/$1
  art=$B/fuzz-artifacts/$1
  mkdir -p "$work" "$art"
  [ "$1" = ir ] && ir_seeds
  dict=
  [ -f "$F/$1.dict" ] && dict=-dict=$F/$1.dict
  log=$B/fuzz-$1.log
  # shellcheck disable=SC2086
  if ! "$B/fuzz_$1" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 \
    -max_len="$(max_len "$1")" -print_final_stats=1 -artifact_prefix="$art/" $dict \
    "$work" $([ -d "$F/corpus/$1" ] && echo "$F/corpus/$1") >"$log" 2>&1; then
    grep -E "ERROR|SUMMARY|#[0-9]+ 0x|runtime error" "$log" | head -40; tail -3 "$log"
    for f in "$art"/*; do # the input itself, for a log that outlives the build dir
      [ -f "$f" ] && { echo "$f:"; head -c 1024 "$f" | od -An -c | head -64; }
    done
    echo "fuzz_$1: FAILED; input in $art/ (log $log)"
    return 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  echo "fuzz_$1: $runs executions in ${SECONDS_EACH} s ($rate exec/s), no crash"
}

configure
targets=${*:-$(cd "$F" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')}
status=0
for t in $targets; do
  if ! build_target "$t" || ! replay "$t"; then
    status=1
    [ -n "${FUZZ_RESULTS:-}" ] && echo "fuzz_$t-build-and-regressions FAILED" >>"$FUZZ_RESULTS"
  fi
done
for t in $targets; do
  if run_target "$t"; then result=ok; else result=FAILED status=1; fi
  [ -n "${FUZZ_RESULTS:-}" ] && echo "fuzz_$t $result" >>"$FUZZ_RESULTS"
done
exit $status

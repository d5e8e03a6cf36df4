#!/bin/bash
# Rig files: the example reads; every kind of mistake is refused with exit
# status 2 and a message naming the file and line; no JACK server is exit
# status 1 with a message, at once. Arguments: gainstage, source root.
set -u
gs=$1 root=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$gs" run -r "$root/rigs/studio.rig" --check >"$dir/check.txt" 2>&1 ||
  fail "rigs/studio.rig: $(cat "$dir/check.txt")"
grep -q "^strip gtr (2 inputs): source ! preamp gain=40dB voicing=tube select=1" "$dir/check.txt" ||
  fail "the example's guitar strip: $(grep '^strip gtr' "$dir/check.txt")"
grep -q "^record channels: gtr.in1 gtr.in2 gtr.out vox.in1 vox.out$" "$dir/check.txt" ||
  fail "record channels: $(grep '^record' "$dir/check.txt")"
grep -q "^strip vox (1 input): source type=mic-condenser ! preamp .* ! adc$" "$dir/check.txt" ||
  fail "a chain ending in volts gets an adc: $(grep '^strip vox' "$dir/check.txt")"
echo "rigs/studio.rig: $(head -1 "$dir/check.txt")"

# bad LINE-NUMBER EXPECTED-TEXT RIG-TEXT: refused, exit 2, file:line: and the text
n=0
bad() {
  local line=$1 want=$2 text=$3
  n=$((n + 1))
  printf '%b' "$text" >"$dir/bad$n.rig"
  timeout 10 "$gs" run -r "$dir/bad$n.rig" --check >"$dir/out.txt" 2>&1
  local rc=$?
  if [ $rc -ne 2 ]; then
    fail "bad$n ($want): exit status $rc, expected 2"
  elif ! grep -q -- "bad$n.rig:$line:.*$want" "$dir/out.txt"; then
    fail "bad$n: expected 'bad$n.rig:$line: ...$want', got: $(cat "$dir/out.txt")"
  fi
}
S='strip gtr\n  preamp\n'
bad 1 "neither a declaration" 'stirp gtr\n  preamp\n'
bad 1 "strip has no setting 'colour'" 'strip gtr colour=red\n  preamp\n'
bad 1 "level=loud" 'strip gtr level=loud\n  preamp\n'
bad 1 "pan=3" 'strip gtr pan=3\n  preamp\n'
bad 1 "outside a strip" 'preamp gain=10\nstrip gtr\n'
bad 3 "gain" 'strip gtr\n  source\n  preamp gain=500\n'
bad 3 "no control 'gtr.volume'" "${S}cc 7 gtr.volume\n"
bad 3 "fixed\|no control 'gtr.preamp.voicing'" "${S}cc 7 gtr.preamp.voicing\n"
bad 3 "controller number 0..127" "${S}cc 200 gtr.level\n"
bad 3 "headphone mixes are numbered" "${S}phones 2\n"
bad 4 "no strip 'bass'" "${S}phones 1\nmix 1 bass level=0dB\n"
bad 3 "strip 'gtr' twice" "${S}strip gtr\n  preamp\n"
bad 3 "gtr.level=loud" "${S}program 1 gtr.level=loud\n"
bad 4 "program 1 twice" "${S}program 1 gtr.level=0dB\nprogram 1 gtr.level=-6dB\n"
bad 1 "unterminated quote" 'strip gtr capture="system:capture_1\n  preamp\n'
bad 1 "no strip" 'rig name=empty\n'
bad 1 "a strip needs a name" 'strip level=0dB\n'
bad 1 "cannot name a strip" 'strip monitor\n  preamp\n'
bad 1 "monitor has no setting 'c'" 'monitor c=x:y\n'
bad 1 "expected up to 8 JACK port names" "strip gtr capture=a:1,a:2,a:3,a:4,a:5,a:6,a:7,a:8,a:9\n  preamp\n"
bad 1 "capture=: expected up to 8 JACK port names" 'strip gtr capture=\n  preamp\n'
bad 1 "capture=a:1,: expected" 'strip gtr capture=a:1,\n  preamp\n'
bad 1 "inputs= and capture= both given" 'strip gtr inputs=3 capture=a:1\n  preamp\n'
bad 1 "level= given twice" 'strip gtr level=0dB level=-6dB\n  preamp\n'
bad 1 "name=a.b: a rig's name is letters, digits, _ and -, up to 31" 'rig name=a.b\nstrip gtr\n  preamp\n'
bad 2 "the rig is declared twice (first on line 1)" 'rig name=a\nrig name=b\nstrip gtr\n  preamp\n'
bad 5 "mix 1 gtr twice (first on line 4)" "${S}phones 1\nmix 1 gtr level=-3dB\nmix 1 gtr level=-6dB\n"
bad 3 "gtr.level set twice" "${S}program 1 gtr.level=0dB gtr.level=-6dB\n"
# the chain's own errors: at the stage's line, stages named as written (the
# source the rig puts in front is not counted)
bad 3 "preamp takes volts, but adc (line 2) gives full-scale samples" 'strip gtr\n  adc\n  preamp\n'
bad 2 "preamp: select=5 but there are only 2 input channels" 'strip gtr inputs=2\n  preamp select=5\n'
bad 4 "strip 'gtr': the chain ends in sound pressure: put a mic" 'strip gtr\n  preamp\n  poweramp\n  speaker\n'
bad 1 "strip 'gtr': no stages" 'strip gtr\nstrip vox\n  preamp\n'
bad 1 "several inputs need a preamp" 'strip gtr inputs=2\n  eq\n'
# a byte-order mark is no content
printf '\xef\xbb\xbfrig name=x\nstrip gtr\n  preamp\n' >"$dir/bom.rig"
"$gs" run -r "$dir/bom.rig" --check >/dev/null 2>&1 || fail "a rig file with a byte-order mark"
for i in $(seq 65); do printf 'strip s%d\n  gain\n' "$i"; done >"$dir/many.rig"
"$gs" run -r "$dir/many.rig" --check 2>&1 | grep -q "many.rig:129: more than 64 strips" ||
  fail "65 strips: $("$gs" run -r "$dir/many.rig" --check 2>&1 | head -2)"
# not a rig file at all: what is wrong with the file as a whole, no line
head -c 3000 /dev/urandom >"$dir/noise.rig"
head -c 1100000 /dev/zero | tr '\0' '#' >"$dir/big.rig"
for f in "$dir/noise.rig:" "$dir:it is a directory" "$dir/missing.rig:No such file" \
  "$dir/big.rig:at most 1 MiB; this one is 1100000 bytes"; do
  want=${f#*:} f=${f%%:*}
  timeout 10 "$gs" run -r "$f" --check >"$dir/out.txt" 2>&1
  rc=$?
  [ $rc -eq 2 ] && grep -q "error: $f: .*$want" "$dir/out.txt" ||
    fail "$f: exit status $rc: $(head -2 "$dir/out.txt")"
done
# a bad chain says so before looking for a server, as --check does
JACK_DEFAULT_SERVER="gs-none-$$" timeout 20 "$gs" run -r "$dir/bad$n.rig" --no-ui \
  </dev/null >"$dir/out.txt" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "several inputs need a preamp" "$dir/out.txt" ||
  fail "a bad chain with no server: exit status $rc: $(head -2 "$dir/out.txt")"
echo "bad rig files: $((n + 5)) kinds refused with exit status 2 and the line named"

# no server: a message and exit status 1, at once
JACK_DEFAULT_SERVER="gs-none-$$" timeout 20 "$gs" run -r "$root/rigs/studio.rig" --no-ui \
  </dev/null >"$dir/out.txt" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "no JACK server: exit status $rc, expected 1"
grep -q "no JACK server running" "$dir/out.txt" || fail "no JACK server: $(cat "$dir/out.txt")"
echo "no JACK server: exit status $rc: $(grep -o 'no JACK server running[^(]*' "$dir/out.txt")"
"$gs" run -r "$root/rigs/studio.rig" --format aiff >/dev/null 2>&1
[ $? -eq 2 ] || fail "--format aiff accepted"
"$gs" run >/dev/null 2>&1
[ $? -eq 2 ] || fail "run without -r accepted"
exit $((failures > 0))

#!/bin/sh
# make demo: synthesize a guitar DI phrase, play it through the default rig
# preset (guitar -> amp -> cabinet -> microphone -> interface), write the
# result and print the rig's level plan.
set -eu
build=${1:-build}
gs="$build/cli/gainstage"
out="$build/demo"
mkdir -p "$out"
name=jazz-clean
preset=presets/$name.preset
"$gs" synth guitar --seconds 9 "$out/di.wav"
"$gs" process -p "$preset" "$out/di.wav" "$out/$name.wav"
echo "input (synthesized DI): $out/di.wav"
echo "output:                 $(cd "$out" && pwd)/$name.wav"
echo
"$gs" plan -p "$preset"

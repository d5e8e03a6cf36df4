#!/usr/bin/env python3
"""Convolution cost per sample: gainstage's zero-latency convolver against a
direct-form FIR (both timed in-process by bench_convolver) and against
`sox ... fir` (its CPU time as a process, net of sox copying the same file
with no effect: bench/measure.py), for IRs of 512 to 240000 taps (5 s) at
block sizes 32, 64, 256 and 1024, and the convolver's longest block. Writes
bench/convolution.md.

Usage: bench/convolution.py BUILD_DIR
"""
import os
import random
import subprocess
import sys
import tempfile

import measure
import report

TAPS = [512, 2048, 8192, 96000, 240000]
BLOCKS = [32, 64, 256, 1024]
RATE = 48000
SECONDS = 30  # of guitar DI, for sox
RUNS = 5


def ours(build):
    """{(engine, taps, block): ns per sample, or us for engine "worst"}
    from bench_convolver."""
    exe = os.path.join(build, "bench", "bench_convolver")
    out = subprocess.run(
        [exe, "10", str(RUNS), ",".join(map(str, TAPS)), ",".join(map(str, BLOCKS))],
        check=True, capture_output=True, text=True).stdout
    got = {}
    for line in out.splitlines():
        engine, taps, block, ns = line.split()
        got[(engine, int(taps), int(block))] = float(ns)
    return got


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build = sys.argv[1]
    gs = os.path.join(build, "cli", "gainstage")
    rt = 1e9 / RATE  # ns per sample of real time
    with tempfile.TemporaryDirectory() as tmp:
        di = os.path.join(tmp, "di.wav")
        subprocess.run([gs, "synth", "guitar", "--seconds", str(SECONDS), di], check=True,
                       stdout=subprocess.DEVNULL)
        sox = {}
        rng = random.Random(1)
        for taps in TAPS:
            coefs = os.path.join(tmp, "coefs-%d.txt" % taps)
            with open(coefs, "w") as f:
                for i in range(taps):
                    f.write("%.8g\n" % (rng.uniform(-1, 1) * (1 - i / taps) * 0.01))
            fir = measure.Config("sox fir", "cab", "sox", ["fir", coefs], False)
            sox[taps] = measure.cpu_ns([fir], {}, di, os.path.join(tmp, "out.wav"),
                                       SECONDS * RATE, RUNS)["sox fir"]
            print("sox fir %6d taps: %8.2f ns/sample" % (taps, sox[taps]), flush=True)
    got = ours(build)

    lines = report.header("Convolution cost per sample", "convolution.py") + [
        "Nanoseconds per mono sample at 48 kHz, median of %d runs; x RT is real-time" % RUNS,
        "factor (48 kHz of audio per second of one core). *gainstage*: the zero-latency",
        "partitioned convolver (src/dsp/convolver.c); *direct*: a direct-form FIR with",
        "vectorized dot products, same process; *sox fir*: `sox in.wav out.wav fir COEFS`",
        "on %d s of guitar DI, CPU time net of sox copying the file (sox's FFT convolution" % SECONDS,
        "has latency; it does not depend on our block size). *worst block*: the",
        "convolver's longest call on one block, in microseconds of the thread's CPU",
        "time after the first second (median of the runs' longest), and what share",
        "of the block's real-time period that is: what a live host must leave room",
        "for, where the mean is what it pays. No call computes an FFT of more than",
        "8192 points; the partitions' older products are summed as input arrives.",
        "",
        "| taps | block | gainstage ns | gainstage x RT | worst block us | of period "
        "| direct ns | sox fir ns | direct / gainstage | sox / gainstage |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for taps in TAPS:
        for block in BLOCKS:
            g = got[("gainstage", taps, block)]
            d = got[("direct", taps, block)]
            s = sox[taps]
            w = got[("worst", taps, block)]
            period_us = 1e6 * block / RATE
            lines.append("| %d | %d | %.1f | %.0f | %.1f | %.1f %% | %.1f | %.1f | %.1f | %.2f |"
                         % (taps, block, g, rt / g, w, 100 * w / period_us, d, s, d / g, s / g))
    lines.append("")
    report.write("convolution.md", lines)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""LV2 plugins' cost per sample: gainstage's five plugins and guitarix's
gx_amp and gx_cabinet, each at its default settings, through the same lilv
host (tests/lv2host.c, 256-frame blocks, time inside run() only) on 30 s of
guitar DI at 48 kHz; runs alternated, median of RUNS. gainstage's plugins
are also timed by lv2bench (lilv), which cannot load guitarix's (they
require buf-size:boundedBlockLength). Writes bench/lv2.md.

Usage: bench/lv2.py BUILD_DIR
"""
import os
import re
import statistics
import subprocess
import tempfile

import report

RUNS = 5
SECONDS = 30
RATE = 48000
OURS = ["preamp", "tonestack", "poweramp", "cab", "amp"]
GX = {"gx_amp": "http://guitarix.sourceforge.net/plugins/gx_amp#GUITARIX",
      "gx_cabinet": "http://guitarix.sourceforge.net/plugins/gx_cabinet#CABINET"}
PEER = {"amp": "gx_amp", "cab": "gx_cabinet"}


def host_ns(host, uri, di, out):
    got = subprocess.run([host, "--time", uri, di, out], capture_output=True, text=True,
                         check=True).stdout
    return float(re.search(r"run_ns_per_sample (\S+)", got).group(1))


def lv2bench_ns(uri):
    frames = SECONDS * RATE
    got = subprocess.run(["lv2bench", "-b", "256", "-n", str(frames), uri], capture_output=True,
                         text=True).stdout
    m = re.search(r"^([0-9.]+)\s+" + re.escape(uri), got, re.M)
    return 1e9 * float(m.group(1)) / frames if m else float("nan")


def main():
    build, gs = report.setup(__doc__)
    host = os.path.join(build, "tests", "lv2host")
    uris = {p: "urn:gainstage:lv2:" + p for p in OURS}
    uris.update(GX)
    times = {name: [] for name in uris}
    bench = {name: [] for name in OURS}
    with tempfile.TemporaryDirectory() as tmp:
        di = os.path.join(tmp, "di.wav")
        subprocess.run([gs, "synth", "guitar", "--seconds", str(SECONDS), di], check=True,
                       stdout=subprocess.DEVNULL)
        for _ in range(RUNS):
            for name, uri in uris.items():
                times[name].append(host_ns(host, uri, di, os.path.join(tmp, "out.wav")))
                if name in bench:
                    bench[name].append(lv2bench_ns(uri))
    med = {k: statistics.median(v) for k, v in times.items()}
    rt = 1e9 / RATE
    lines = report.header("LV2 plugins: cost per sample", "lv2.py") + [
        "Nanoseconds per mono sample at 48 kHz inside `run()`, median of %d runs, each" % RUNS,
        "plugin at its default settings, through tests/lv2host.c (lilv, 256-frame blocks)",
        "on %d s of guitar DI; lv2bench (lilv) figures for gainstage's plugins beside" % SECONDS,
        "them (it cannot load guitarix's). Defaults are not the same sounds: gx_amp is a",
        "tube amp with its own cabinet, gainstage's Amp the whole rig from pickup to",
        "converter (solid-state until the tube stages land).",
        "",
        "| plugin | ns/sample | x real time | lv2bench ns/sample | ratio to the peer |",
        "|---|---:|---:|---:|---|",
    ]
    for name in list(uris):
        b = statistics.median(bench[name]) if name in bench else None
        peer = PEER.get(name)
        ratio = "%.2f x %s" % (med[name] / med[peer], peer) if peer else ""
        lines.append("| %s | %.1f | %.0f | %s | %s |" % (
            ("gainstage " + name) if name in OURS else name, med[name], rt / med[name],
            "%.1f" % b if b is not None else "-", ratio))
    lines.append("")
    report.write("lv2.md", lines)


if __name__ == "__main__":
    main()

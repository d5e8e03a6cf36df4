#!/usr/bin/env python3
"""The high-gain tube rig against guitarix's gx_amp and CAPS AmpVTS, in one
run on one machine: cost and aliasing.

- Cost: 30 s of synthesized guitar DI at 48 kHz through each, 256-frame
  blocks, time inside the processing call only (bench/chainhost for our
  chain, tests/lv2host for gx_amp, bench/ladspahost for AmpVTS); runs
  alternated, median of RUNS; and instructions per sample from valgrind
  callgrind, 4 s minus 2 s of DI (so start-up and the host's fixed costs
  cancel; the host's per-sample copying stays in, the same for all).
- Aliasing: a 5 kHz sine (on an FFT bin of 65536 points) at the first of
  LEVELS whose THD reaches 10 % through
  each; `gainstage measure --file --freq` reads THD and the strongest
  non-harmonic spur (alias_dbc) of the last 65536 samples. Ours is also
  measured by `gainstage measure -c RIG -f 5000`, the analyzer's own drive.
Writes bench/tube.md.

Usage: bench/tube.py BUILD_DIR
"""
import json
import os
import re
import statistics
import subprocess
import tempfile

import report

RUNS = 5
SECONDS = 30
RATE = 48000
TONE_HZ = 5000.0
TONE_N = 65536
# sine peaks tried, volts into our rig, full scale into the plugins
LEVELS = [0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0]
RIG = ("preamp input=hiz voicing=tube stages=2 gain=50 ! tonestack model=marshall "
       "! poweramp type=tube tube=EL34 watts=50 load=8 gain=26 ! load ohms=8")
CAPS = "/usr/lib/ladspa/caps.so"
GX_AMP = "http://guitarix.sourceforge.net/plugins/gx_amp#GUITARIX"
# the peers at high gain (their defaults are clean): drive and gain full up
GX_HIGH_GAIN = ["-c", "Drive", "1", "-c", "PreGain", "10"]
CAPS_HIGH_GAIN = ["--set", "gain=1"]


def configs(build):
    tools = {"chain": os.path.join(build, "bench", "chainhost"),
             "lv2": os.path.join(build, "tests", "lv2host"),
             "ladspa": os.path.join(build, "bench", "ladspahost")}
    out = {"gainstage rig (quality=auto)": [tools["chain"], RIG],
           "guitarix gx_amp": [tools["lv2"]] + GX_HIGH_GAIN + [GX_AMP]}
    for over, name in ((0, "2x"), (1, "4x"), (2, "8x")):
        out["CAPS AmpVTS " + name] = [tools["ladspa"], "--set", "over=%d" % over] + CAPS_HIGH_GAIN + [
            CAPS, "AmpVTS"]
    return out


def run(cmd, src, dst, timed=False):
    args = [cmd[0]] + (["--time"] if timed else []) + cmd[1:] + [src, dst]
    got = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"run_ns_per_sample (\S+)", got).group(1)) if timed else None


def instructions(cmd, short, long, tmp):
    counts = []
    for src in (short, long):
        out = os.path.join(tmp, "cg.out")
        subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out]
                       + cmd + [src, os.path.join(tmp, "cg.wav")],
                       capture_output=True, text=True, check=True)
        with open(out, encoding="utf-8") as f:
            counts.append(int(re.search(r"^summary:\s+(\d+)", f.read(), re.M).group(1)))
    return (counts[1] - counts[0]) / (2.0 * RATE)


def tone(gs, path):
    got = subprocess.run([gs, "measure", "--file", path, "--freq", str(TONE_HZ), "--json"],
                         capture_output=True, text=True, check=True).stdout
    ch = json.loads(got)["channels"][0]
    return ch["thd"], ch["alias_dbc"]


def make_signals(gs, tmp):
    di = os.path.join(tmp, "di.wav")
    subprocess.run([gs, "synth", "guitar", "--seconds", str(SECONDS), di], check=True,
                   stdout=subprocess.DEVNULL)
    short, long = os.path.join(tmp, "di2.wav"), os.path.join(tmp, "di4.wav")
    for path, secs in ((short, 2), (long, 4)):
        subprocess.run(["sox", "-V1", di, path, "trim", "0", str(secs)], check=True)
    return di, short, long


def sine(tmp, level):
    hz = round(TONE_HZ * TONE_N / RATE) * RATE / TONE_N
    path = os.path.join(tmp, "sine.wav")
    subprocess.run(["sox", "-V1", "-n", "-r", str(RATE), "-c", "1", "-b", "32", "-e",
                    "floating-point", path, "synth", "3", "sine", "%.6f" % hz, "vol", str(level)],
                   check=True)
    return path


def alias_at_10pct(gs, cmd, tmp):
    """The first level of LEVELS whose THD reaches 10 %: (level, THD, alias)."""
    out = os.path.join(tmp, "tone.wav")
    for level in LEVELS:
        run(cmd, sine(tmp, level), out)
        thd, alias = tone(gs, out)
        if thd >= 0.10:
            return level, thd, alias
    return level, thd, alias


def main():
    build, gs = report.setup(__doc__)
    cfg = configs(build)
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        di, short, long = make_signals(gs, tmp)
        out = os.path.join(tmp, "out.wav")
        times = {name: [] for name in cfg}
        for _ in range(RUNS):
            for name, cmd in cfg.items():
                times[name].append(run(cmd, di, out, timed=True))
        for name, cmd in cfg.items():
            level, thd, alias = alias_at_10pct(gs, cmd, tmp)
            rows[name] = {"ns": statistics.median(times[name]),
                          "instr": instructions(cmd, short, long, tmp),
                          "level": level, "thd": thd, "alias": alias}
    level = rows["gainstage rig (quality=auto)"]["level"]
    measured = json.loads(subprocess.run(
        [gs, "measure", "-c", RIG, "-f", str(TONE_HZ), "-l", "%gVpk" % level, "--json"],
        capture_output=True, text=True, check=True).stdout)
    write(rows, measured, level)


def write(rows, measured, level):
    ours = rows["gainstage rig (quality=auto)"]
    peers = {k: v for k, v in rows.items() if not k.startswith("gainstage")}
    lines = report.header("The tube rig against the peers", "tube.py") + [
             "The rig: `%s`; gx_amp with `%s`, AmpVTS with `%s` (their defaults are "
             "clean)." % (RIG, " ".join(GX_HIGH_GAIN), " ".join(CAPS_HIGH_GAIN)),
             "Same signal, 256-frame blocks, time inside the processing call only "
             "(median of %d alternated runs of %d s of guitar DI at %d Hz); instructions "
             "per sample by callgrind (4 s minus 2 s); aliasing of a %.0f Hz sine at the "
             "first level (peak: volts into the rig, full scale into the plugins) whose "
             "THD reaches 10 %%: the strongest non-harmonic spur re the fundamental." % (
                 RUNS, SECONDS, RATE, TONE_HZ),
             "",
             "| configuration | ns/sample | x real time | instr/sample | 5 kHz level | THD | alias (dBc) |",
             "|---|---|---|---|---|---|---|"]
    for name, r in rows.items():
        lines.append("| %s | %.1f | %.0f | %.0f | %g | %.1f %% | %.1f |" % (
            name, r["ns"], 1e9 / (r["ns"] * RATE), r["instr"], r["level"], 100 * r["thd"],
            r["alias"]))
    lines += ["", "Ratios (gainstage / peer; below 1 is cheaper, negative dB is cleaner):", ""]
    for name, r in peers.items():
        lines.append("- %s: time %.2f, instructions %.2f, alias %+.1f dB" % (
            name, ours["ns"] / r["ns"], ours["instr"] / r["instr"], ours["alias"] - r["alias"]))
    lines += ["", "`gainstage measure -c RIG -f 5000 -l %gVpk`: THD %.1f %%, alias_dbc %.1f dBc, "
              "latency %d samples." % (level, measured["thd_pct"], measured["alias_dbc"],
                                       measured["latency_samples"]), ""]
    report.write("tube.md", lines)


if __name__ == "__main__":
    main()

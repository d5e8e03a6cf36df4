#!/usr/bin/env python3
"""gainstage against the open peers, in one run on one machine: every
configuration through the same kind of host (bench/measure.py) on the
bench's own signals, and one table of all the figures with the ratios
gainstage / best peer, the issue's targets checked, and a plot.

Writes bench/results.md and bench/results.png.

Usage: bench/results.py BUILD_DIR          the whole bench (minutes)
       bench/results.py --smoke BUILD_DIR  gainstage's configurations on
           1 s of DI, no peers, no callgrind, nothing written: fails if a
           host, a measurement or the NaN target fails (for make check)
"""
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile

import measure
import report
from measure import BLOCK, RATE, Config

SECONDS = 30  # of guitar DI, timed
RUNS = 5      # alternated rounds of timing
THD_HZ, THD_PEAK = 1000.0, 0.1  # volts into an analog chain, full scale into a plugin
ALIAS_HZ = (2500.0, 5000.0)
# sine peaks tried for aliasing, until THD reaches 10 % (as in issue 4)
LEVELS = [0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0]
IR_TAPS = 2048

RIG = ("preamp input=hiz voicing=tube stages=2 gain=50 ! tonestack model=marshall "
       "! poweramp type=tube tube=EL34 watts=50 load=8 gain=26 ! load ohms=8")
# the same with minimum-phase oversampling filters: a few samples late
RIG_MIN = RIG.replace("gain=50", "gain=50 phase=minimum").replace("gain=26", "gain=26 phase=minimum")
CLEAN = ("preamp input=hiz voicing=solid-state gain=20 ! tonestack model=fender "
         "! poweramp type=solid-state watts=100 load=8 ! load ohms=8")
DRIVE = "preamp input=hiz voicing=solid-state gain=40"
GS_LV2 = "urn:gainstage:lv2:"
GX = "http://guitarix.sourceforge.net/plugins/"
X42 = "http://gareus.org/oss/lv2/zeroconvolv#CfgMono"
CAPS = "/usr/lib/ladspa/caps.so"
# the peers' defaults are clean: drive and gain full up
GX_HIGH_GAIN = ["-c", "Drive", "1", "-c", "PreGain", "10"]
CAPS_HIGH_GAIN = ["--set", "gain=1"]
# the gainstage Amp plugin set as the rig (enum ports take the choice's index)
AMP_TUBE = ["-c", "pre_voicing", "2", "-c", "pre_gain", "50", "-c", "tone_model", "1",
            "-c", "amp_type", "2", "-c", "amp_watts", "50", "-c", "amp_gain", "26"]

# not a product: the least any circuit solver of the rig's size costs at 4x
FLOOR = "circuit-solver floor at 4x (bench/floor.c)"

GROUPS = {
    "amp": "high-gain amp",
    "cab": "cabinet, %d-tap IR" % IR_TAPS,
    "clean": "clean preamp, tone stack, power amp",
    "drive": "gain and soft clip",
}


def configs(ir, ir_state, coefs, smoke=False):
    """Every configuration, ours first in each group."""
    cab = "cab ir=%s normalize=off trim=off" % ir
    ours = [
        Config("gainstage rig (chain)", "amp", "chain", [RIG], True),
        Config("gainstage rig phase=minimum (chain)", "amp", "chain", [RIG_MIN], True),
        Config("gainstage Amp LV2 (rig + cab + mic)", "amp", "lv2", AMP_TUBE + [GS_LV2 + "amp"],
               True),
        Config("gainstage cab (chain)", "cab", "chain", [cab], True),
        Config("gainstage Cabinet LV2 (IR)", "cab", "lv2", ["--ir", ir, GS_LV2 + "cab"], True),
        Config("gainstage clean (chain)", "clean", "chain", [CLEAN], True),
        Config("gainstage Preamp LV2", "clean", "lv2", [GS_LV2 + "preamp"], True),
        Config("gainstage Tone Stack LV2", "clean", "lv2", [GS_LV2 + "tonestack"], True),
        Config("gainstage Power Amp LV2", "clean", "lv2", [GS_LV2 + "poweramp"], True),
        Config("gainstage drive (chain)", "drive", "chain", [DRIVE], True),
        Config("gainstage drive quality=4 (chain)", "drive", "chain", [DRIVE + " quality=4"],
               True),
    ]
    yardsticks = [Config(FLOOR, "floor", "floor", [], False)]
    if smoke:
        return ours + yardsticks
    peers = [
        Config("guitarix gx_amp", "amp", "lv2", GX_HIGH_GAIN + [GX + "gx_amp#GUITARIX"], False),
        Config("CAPS AmpVTS 2x", "amp", "ladspa",
               ["--set", "over=0"] + CAPS_HIGH_GAIN + [CAPS, "AmpVTS"], False),
        Config("CAPS AmpVTS 4x", "amp", "ladspa",
               ["--set", "over=1"] + CAPS_HIGH_GAIN + [CAPS, "AmpVTS"], False),
        Config("CAPS AmpVTS 8x", "amp", "ladspa",
               ["--set", "over=2"] + CAPS_HIGH_GAIN + [CAPS, "AmpVTS"], False),
        Config("x42 zeroconvolv (zero latency)", "cab", "lv2",
               ["-c", "buffered", "0", "--load-state", ir_state, X42], False),
        Config("sox fir", "cab", "sox", ["fir", coefs], False),
        Config("guitarix gx_cabinet", "cab", "lv2", [GX + "gx_cabinet#CABINET"], False,
               "its own cabinet IR"),
        Config("CAPS CabinetIV", "cab", "ladspa", [CAPS, "CabinetIV"], False,
               "IIR cabinet model, no IR"),
        Config("sox overdrive", "drive", "sox", ["overdrive", "20", "20"], False),
    ]
    return ours + peers + yardsticks


def write_ir(folder):
    """A 2048-tap IR: a decaying noise tail under a first tap that is its
    largest (so that the impulse response's peak is at 0 and the measured
    latency is the host's), as WAV, as an x42 state folder, as sox coefs."""
    rng = random.Random(1)
    h = [0.5] + [rng.uniform(-1, 1) * 0.3 * math.exp(-i / 400.0) for i in range(1, IR_TAPS)]
    ir = os.path.join(folder, "ir.wav")
    measure.write_wav(ir, h)
    state = os.path.join(folder, "x42-state")
    os.makedirs(state)
    shutil.copy(ir, os.path.join(state, "ir.wav"))
    with open(os.path.join(state, "state.ttl"), "w") as f:
        f.write("@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
                "@prefix pset: <http://lv2plug.in/ns/ext/presets#> .\n"
                "@prefix state: <http://lv2plug.in/ns/ext/state#> .\n"
                "<> a pset:Preset ; lv2:appliesTo <%s> ;\n"
                "  state:state [ <http://gareus.org/oss/lv2/zeroconvolv#ir> <ir.wav> ] .\n" % X42)
    coefs = os.path.join(folder, "coefs.txt")
    with open(coefs, "w") as f:
        f.write("".join("%.9g\n" % v for v in h))
    return ir, state, coefs


def exactness(build, ir, sig, cfg, tools, lat, tmp):
    """convref's (max, rms) error in dB of a convolver's output on 2 s of
    DI, against the direct double-precision convolution."""
    out = os.path.join(tmp, "exact.wav")
    cfg.run(tools, sig.di_short, out)
    got = subprocess.run([os.path.join(build, "bench", "convref"), ir, sig.di_short, out,
                          str(max(lat or 0, 0))], capture_output=True, text=True,
                         check=True).stdout
    vals = dict(line.split() for line in got.splitlines())
    return float(vals["max_err_db"]), float(vals["rms_err_db"])


def measure_all(build, gs, cfgs, sig, tmp, smoke):
    """{name: figures} and the hosts' instruction baselines. The smoke
    test measures aliasing at one frequency and level only."""
    levels, alias_hz = ([0.1], ALIAS_HZ[-1:]) if smoke else (LEVELS, ALIAS_HZ)
    tools = measure.tools_in(build)
    out = os.path.join(tmp, "out.wav")
    samples = len(measure.read_wav(sig.di))
    ns = measure.cpu_ns(cfgs, tools, sig.di, out, samples, 1 if smoke else RUNS)
    rows, baselines = {}, {}
    for c in cfgs:
        r = {"cfg": c, "ns": ns[c.name]}
        print("%-40s %8.1f ns/sample" % (c.name, r["ns"]), flush=True)
        r["instr"] = None if smoke else measure.net_instructions(c, tools, sig, tmp, baselines)
        if c.group == "floor":  # its output is not audio: its cost is all it tells
            rows[c.name] = r
            continue
        r["latency"] = measure.latency(c, tools, sig, tmp)
        r["thd"] = measure.thd(c, tools, gs, sig, tmp, THD_HZ, THD_PEAK)
        r["alias"] = {hz: measure.alias_at_drive(c, tools, gs, sig, tmp, hz, levels)
                      for hz in alias_hz}
        r["nan"] = measure.nan_behaviour(c, tools, sig, tmp)
        if c.group == "cab" and c.note == "":
            r["exact"] = exactness(build, sig.ir, sig, c, tools, r["latency"], tmp)
        rows[c.name] = r
    return rows, baselines


# ----------------------------------------------------------------- report

def best_peer(rows, group, key, lower_is_better=True):
    vals = [(key(r), r["cfg"].name) for r in rows.values()
            if r["cfg"].group == group and not r["cfg"].ours and key(r) is not None]
    if not vals:
        return None, None
    return (min if lower_is_better else max)(vals)


def fmt(v, f="%.0f", none="—"):
    return none if v is None else f % v


def nan_text(r):
    what, n = r["nan"]
    return "%s (%d samples)" % (what, n) if what == "recovers" else what


def table(rows):
    lines = ["| configuration | host | x real time | instr/sample | latency | "
             "alias 2.5 kHz | alias 5 kHz | THD 1 kHz | after a NaN | speed / best peer "
             "| instr: best peer / ours | alias 5 kHz − best peer |",
             "|---|---|---:|---:|---:|---|---|---:|---|---:|---:|---:|"]
    for group, title in GROUPS.items():
        members = [r for r in rows.values() if r["cfg"].group == group]
        if not members:
            continue
        lines.append("| **%s** |  |  |  |  |  |  |  |  |  |  |  |" % title)
        peer_ns = best_peer(rows, group, lambda r: r["ns"])
        peer_instr = best_peer(rows, group, lambda r: r["instr"])
        peer_alias = best_peer(rows, group, lambda r: r["alias"][5000.0][2])
        for r in members:
            c = r["cfg"]
            ratio = ["", "", ""]
            if c.ours and peer_ns[0]:
                ratio = ["%.2f (%s)" % (peer_ns[0] / r["ns"], peer_ns[1]),
                         fmt(peer_instr[0] / r["instr"] if peer_instr[0] and r["instr"]
                             else None, "%.2f"),
                         "%+.1f dB" % (r["alias"][5000.0][2] - peer_alias[0])]
            alias = ["%.1f dBc @ %g" % (a[2], a[0]) if a else "—"
                     for a in (r["alias"].get(hz) for hz in ALIAS_HZ)]
            name = c.name + (" (%s)" % c.note if c.note else "")
            lines.append("| %s | %s | %.0f | %s | %s | %s | %s | %.2f %% | %s | %s | %s | %s |" % (
                name, c.kind, 1e9 / (r["ns"] * RATE), fmt(r["instr"]), fmt(r["latency"], "%d"),
                alias[0], alias[1], 100 * r["thd"], nan_text(r), *ratio))
    return lines


def targets(rows):
    """[(target, holds: a bool or a verdict, figures)]"""
    out = []
    rt = lambda r: 1e9 / (r["ns"] * RATE)
    cab, x42 = rows.get("gainstage cab (chain)"), rows.get("x42 zeroconvolv (zero latency)")
    if cab and x42:
        speed, instr = x42["ns"] / cab["ns"], x42["instr"] / cab["instr"]
        err = cab["exact"]
        exact = err[0] <= -120 and cab["latency"] == 0
        out.append(("cabinet convolution, %d taps, zero latency: ≥ 3x faster than x42 "
                    "zeroconvolv (zero latency), exact to −120 dB" % IR_TAPS,
                    ["MISSED", "holds by CPU time, not by instructions", "holds"][
                        (speed >= 3 and exact) + (instr >= 3 and exact)],
                    "CPU time %.2fx, instructions %.2fx (%.0f vs %.0f per sample); error vs "
                    "direct double convolution: max %.1f dB, rms %.1f dB; latency %s (x42 %s)"
                    % (speed, instr, cab["instr"], x42["instr"], err[0], err[1],
                       cab["latency"], x42["latency"])))
    clean = rows.get("gainstage clean (chain)")
    if clean:
        out.append(("clean preamp + tone stack + solid-state power amp ≥ 1000x real time",
                    rt(clean) >= 1000, "%.0fx real time (%.1f ns, %s instructions per sample)"
                    % (rt(clean), clean["ns"], fmt(clean["instr"]))))
    ours = [r for r in rows.values() if r["cfg"].ours]
    late = [r for r in ours if r["nan"][0] != "recovers" or r["nan"][1] > BLOCK]
    out.append(("every gainstage configuration recovers from a NaN within one block (%d samples)"
                % BLOCK, not late, "worst: " + ", ".join(
                    "%s: %s" % (r["cfg"].name, nan_text(r)) for r in (late or sorted(
                        ours, key=lambda r: -r["nan"][1])[:1]))))
    rig = rows.get("gainstage rig (chain)")
    gx, vts = rows.get("guitarix gx_amp"), rows.get("CAPS AmpVTS 4x")
    if rig and gx and vts:
        peer_alias = best_peer(rows, "amp", lambda r: r["alias"][5000.0][2])
        a = rig["alias"][5000.0][2]
        out.append(("high-gain rig faster than gx_amp and AmpVTS 4x, alias at 5 kHz ≥ 20 dB "
                    "below the best peer's",
                    rig["ns"] < min(gx["ns"], vts["ns"]) and rig["instr"] < min(
                        gx["instr"], vts["instr"]) and a <= peer_alias[0] - 20,
                    "CPU time %.2fx gx_amp's, %.2fx AmpVTS 4x's; instructions %.0f vs %.0f and "
                    "%.0f; alias %.1f dBc vs best peer %.1f dBc (%s)" % (
                        rig["ns"] / gx["ns"], rig["ns"] / vts["ns"], rig["instr"], gx["instr"],
                        vts["instr"], a, peer_alias[0], peer_alias[1]) + floor_text(rows)))
    return out


def floor_text(rows):
    """The floor's figures against the rig's peers, for the rig's target."""
    f, gx, vts = rows.get(FLOOR), rows.get("guitarix gx_amp"), rows.get("CAPS AmpVTS 4x")
    if not (f and gx and vts):
        return ""
    return ("; the floor of any circuit solver of the rig's size at 4x (bench/floor.c: three "
            "table-driven stages in one loop, no iteration): CPU time %.2fx gx_amp's, %.2fx "
            "AmpVTS 4x's (%.1f ns a sample), %s instructions" % (
                f["ns"] / gx["ns"], f["ns"] / vts["ns"], f["ns"], fmt(f["instr"])))


def plot(rows, path):
    """Cost against aliasing at 5 kHz, one point a configuration; the
    cabinet group by cost alone (their aliasing is their noise floor)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4), dpi=72,
                                      gridspec_kw={"width_ratios": [1.25, 1]})
    for r in rows.values():
        c = r["cfg"]
        if c.group == "cab":
            continue
        x, y = r["instr"], r["alias"][5000.0][2]
        left.scatter([x], [y], c="tab:red" if c.ours else "tab:blue", s=24)
        left.annotate(c.name, (x, y), fontsize=7, xytext=(4, 2), textcoords="offset points")
    left.set_xscale("log")
    left.set_xlabel("instructions per sample (callgrind, net of host)")
    left.set_ylabel("strongest alias spur, 5 kHz sine at 10 % THD (dBc)")
    left.set_title("amps and drives: cost against aliasing", fontsize=9)
    left.grid(True, which="both", alpha=0.3)
    names = [r["cfg"].name for r in rows.values()]
    speed = [1e9 / (r["ns"] * RATE) for r in rows.values()]
    colors = ["tab:red" if r["cfg"].ours else "tab:blue" for r in rows.values()]
    right.barh(range(len(names)), speed, color=colors)
    right.set_yticks(range(len(names)), names, fontsize=7)
    right.invert_yaxis()
    right.set_xscale("log")
    right.axvline(1000, color="gray", lw=0.8, ls="--")
    right.set_xlabel("x real time (CPU time, all threads; red: gainstage)")
    right.set_title("speed, 30 s of guitar DI at 48 kHz", fontsize=9)
    right.grid(True, axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


# the Amp plugin's cabinet and mic at their defaults, as a chain
CAB_MIC = "cab ! mic ! preamp input=mic ! adc"


def cab_mic_drop(gs):
    """dB by which CAB_MIC passes 5 kHz less than 1 kHz."""
    gain = {}
    for hz in (1000, 5000):
        out = subprocess.run([gs, "measure", "-c", CAB_MIC, "-f", str(hz), "--json"],
                             check=True, capture_output=True, text=True).stdout
        gain[hz] = json.loads(out)["gain_db"]
    return gain[1000] - gain[5000]


def write(rows, baselines, drop):
    lines = report.header("gainstage against the peers", "results.py") + [
        "Every configuration on the same signals through the same kind of host in "
        "%d-frame blocks (bench/measure.py): gainstage chains through libgainstage as "
        "`gainstage process` runs them (bench/chainhost), LV2 plugins through "
        "tests/lv2host, LADSPA through bench/ladspahost, sox as itself." % BLOCK,
        "",
        "- *x real time*: %d s of synthesized guitar DI at %d Hz; CPU time of every thread "
        "of the host over its processing loop (sox: of the process, net of sox copying the "
        "file), median of %d rounds that alternate the configurations." % (SECONDS, RATE, RUNS),
        "- *instr/sample*: valgrind callgrind, (4 s) − (2 s) of the DI over 2 s, net of the "
        "host's own cost per sample measured the same way with no processing (%s)." % ", ".join(
            "%s %.0f" % kv for kv in sorted(baselines.items())),
        "- *latency*: samples from an input impulse (%g) to the output's largest sample."
        % measure.Signals.IMPULSE,
        "- *alias*: a sine at 2.5 or 5 kHz (on an FFT bin) at the first peak level of %s "
        "whose THD reaches 10 %% (the last level for a configuration that never does); the "
        "strongest non-harmonic spur re the fundamental, by `gainstage measure --file`. "
        "Levels are volts into a chain, full scale into a plugin (the gainstage plugins' "
        "inputs are calibrated in volts too)." % ", ".join("%g" % v for v in LEVELS),
        "- *THD 1 kHz*: a %g-peak 1 kHz sine." % THD_PEAK,
        "- *after a NaN*: a 1 kHz sine of %g with one NaN at sample %d, against the same "
        "sine without it: samples until the output is finite and within 40 dB of the clean "
        "run for good; *silent*: it stays 40 dB below; *NaN forever*: non-finite at the end."
        % (measure.Signals.NAN_PEAK, measure.Signals.NAN_AT),
        "- The peers at high gain: gx_amp `%s`, AmpVTS `%s` (their defaults are clean); "
        "sox `overdrive 20 20`. The rig: `%s` (its phase=minimum row: both oversampled stages "
        "with minimum-phase filters). Clean: `%s`. Drive: `%s` (and with "
        "`quality=4`: its output stage's clipping oversampled 4x). The cabinet: "
        "a %d-tap IR (decaying noise) through `cab ir=IR normalize=off trim=off`, the "
        "Cabinet plugin's IR mode, x42 zeroconvolv (CfgMono, buffered=0) and `sox fir`." % (
            " ".join(GX_HIGH_GAIN), " ".join(CAPS_HIGH_GAIN), RIG, CLEAN, DRIVE, IR_TAPS),
        "- Ratios compare each gainstage row with the best peer of its group: speed is the "
        "best peer's CPU time over ours (above 1: we are faster), alias the difference in dB "
        "(negative: we are cleaner).",
        "- *The floor* (bench/floor.c, not a product: made-up matrices and tables, its output "
        "not audio) does the least any sample-by-sample solver of the rig's circuit does at "
        "4x: two triodes, a tone stack and a power amp as state vectors updated by one "
        "matrix-vector product each, each nonlinear stage's two port currents by one bilinear "
        "lookup in a table, no iteration, no grid-current branch, float states, in one loop "
        "between the library's 4x filters. It is timed and counted with the others; its "
        "figures are in the rig's target below.",
        "- The Amp plugin's row includes its cabinet and mic, which pass 5 kHz %.0f dB less "
        "than 1 kHz (`gainstage measure -c \"%s\"` at both): the 5 kHz fundamental is cut "
        "while what aliases below it is not, and its harmonics are cut too, so 10 %% THD is "
        "never reached and it is read at full scale. Its alias "
        "figures are not comparable with the bare amps'; the rig's row is the one the "
        "target reads." % (drop, CAB_MIC),
        "",
    ] + table(rows) + ["", "## Targets (issue 8)", ""]
    for what, holds, figures in targets(rows):
        verdict = holds if isinstance(holds, str) else "holds" if holds else "MISSED"
        lines.append("- **%s** %s: %s." % (verdict, what, figures))
    lines += ["", "![cost, aliasing and speed](results.png)", ""]
    report.write("results.md", lines)
    plot({k: r for k, r in rows.items() if r["cfg"].group != "floor"},
         os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.png"))


def main():
    smoke = "--smoke" in sys.argv[1:]
    if smoke:
        sys.argv.remove("--smoke")
    build, gs = report.setup(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        sig = measure.Signals(gs, tmp, 4 if smoke else SECONDS)
        sig.ir, state, coefs = write_ir(tmp)
        cfgs = configs(sig.ir, state, coefs, smoke)
        rows, baselines = measure_all(build, gs, cfgs, sig, tmp, smoke)
    if smoke:
        failed = [t for t in targets(rows) if t[1] is False and "NaN" in t[0]]
        for what, _, figures in failed:
            print("FAILED: %s: %s" % (what, figures))
        print("\n".join(table(rows)))
        print("smoke: %d configurations measured" % len(rows))
        sys.exit(1 if failed else 0)
    write(rows, baselines, cab_mic_drop(gs))


if __name__ == "__main__":
    main()

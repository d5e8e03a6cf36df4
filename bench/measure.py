"""What every bench/ script measures, one way: the test signals, the hosts
that run a configuration on a file, and the figures read from what comes
out (cost, instructions, latency, THD, aliasing, NaN behaviour).

A configuration is a host and its arguments (see Config). Every host
reads a mono float WAV and writes one, in 256-frame blocks:

- chain:  bench/chainhost, a gainstage chain through libgainstage (the
          calls `gainstage process` makes; the chain's latency is not
          removed, as it is not live);
- lv2:    tests/lv2host (lilv), an LV2 plugin;
- ladspa: bench/ladspahost, a LADSPA plugin;
- sox:    sox itself, an effect on a file.

The three in-process hosts time the processing loop by the CPU time of
all the process's threads, with the file already in memory
(bench/host_clock.h); sox is timed by its CPU time as a child process net
of sox copying the same file with no effect. Instructions come from
valgrind callgrind as (4 s of input) - (2 s), so that start-up, plugin
loading and IR loading cancel, net of the same difference for the host
with no processing (--null, or sox with no effect).

Only the Python standard library is used, so that `make check` can run
the smoke test without numpy."""
import array
import json
import math
import os
import re
import statistics
import struct
import subprocess

RATE = 48000
BLOCK = 256
TONE_N = 65536  # `gainstage measure --file --freq` reads the last 65536 samples


# ------------------------------------------------------------------ files

def write_wav(path, samples, rate=RATE):
    """Mono 32-bit float WAV (format 3), any float values (NaN too)."""
    data = array.array("f", samples)
    if data.itemsize != 4:
        raise RuntimeError("float is not 32 bits here")
    body = data.tobytes() if struct.pack("=f", 1.0) == struct.pack("<f", 1.0) else None
    if body is None:
        data.byteswap()
        body = data.tobytes()
    fmt = struct.pack("<HHIIHHH", 3, 1, rate, rate * 4, 4, 32, 0)  # cbSize 0: non-PCM wants it
    fact = struct.pack("<I", len(data))  # frames, as non-PCM WAV asks
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 12 + 8 + len(body)) + b"WAVE")
        f.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt)
        f.write(b"fact" + struct.pack("<I", 4) + fact)
        f.write(b"data" + struct.pack("<I", len(body)) + body)


def read_wav(path):
    """The first channel of a 32-bit float WAV (plain or extensible), as
    an array of floats."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise ValueError("%s: not a WAV file" % path)
    pos, channels, bits, tag, data = 12, 1, 32, 3, None
    while pos + 8 <= len(raw):
        cid, size = raw[pos:pos + 4], struct.unpack("<I", raw[pos + 4:pos + 8])[0]
        body = raw[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            tag, channels, _, _, _, bits = struct.unpack("<HHIIHH", body[:16])
            if tag == 0xFFFE:
                tag = struct.unpack("<H", body[24:26])[0]
        elif cid == b"data":
            data = body
        pos += 8 + size + (size & 1)
    if tag != 3 or bits != 32 or data is None:
        raise ValueError("%s: not 32-bit float" % path)
    out = array.array("f")
    out.frombytes(data[:len(data) - len(data) % 4])
    if struct.pack("=f", 1.0) != struct.pack("<f", 1.0):
        out.byteswap()
    return out[::channels] if channels > 1 else out


# ---------------------------------------------------------------- signals

def on_bin(hz):
    """The nearest frequency with whole cycles in TONE_N samples, so that
    the analyzer's FFT sees no leakage."""
    return round(hz * TONE_N / RATE) * RATE / TONE_N


def sine(hz, peak, seconds):
    w = 2 * math.pi * on_bin(hz) / RATE
    return [peak * math.sin(w * i) for i in range(int(seconds * RATE))]


class Signals:
    """The bench's own test signals, written once into DIR:

    di         SECONDS of synthesized guitar DI (`gainstage synth`), volts
               (1 V full scale, peaks near 0.5)
    di_short,  its first 2 and 4 s (callgrind's difference)
    di_long
    silence    1 s of zeros
    impulse    one sample of IMPULSE after 0.1 s of zeros, 0.5 s in all
    nan        a 1 kHz sine of NAN_PEAK with one NaN at NAN_AT; nan_ref
               the same sine without it
    tone(hz, peak)  a sine on an FFT bin, made on demand"""
    IMPULSE = 0.1
    IMPULSE_AT = RATE // 10
    NAN_PEAK = 0.1
    NAN_AT = 24000 + 100  # inside a block, not on its edge

    def __init__(self, gs, folder, seconds):
        self.dir = folder
        self.di = os.path.join(folder, "di.wav")
        subprocess.run([gs, "synth", "guitar", "--seconds", str(seconds), self.di], check=True,
                       stdout=subprocess.DEVNULL)
        di = read_wav(self.di)
        self.di_short = self._write("di2", di[:2 * RATE])
        self.di_long = self._write("di4", di[:4 * RATE])
        self.silence = self._write("silence", [0.0] * RATE)
        imp = [0.0] * (RATE // 2)
        imp[self.IMPULSE_AT] = self.IMPULSE
        self.impulse = self._write("impulse", imp)
        tone = sine(1000, self.NAN_PEAK, 1.0)
        self.nan_ref = self._write("nan_ref", tone)
        tone[self.NAN_AT] = float("nan")
        self.nan = self._write("nan", tone)

    def _write(self, name, samples):
        path = os.path.join(self.dir, name + ".wav")
        write_wav(path, samples)
        return path

    def tone(self, hz, peak):
        """3 s of a sine (the analyzer reads the last 65536 samples, after
        the chain has settled)."""
        return self._write("tone-%g-%g" % (hz, peak), sine(hz, peak, 3.0))


# ------------------------------------------------------------------ hosts

class Config:
    """One configuration: a name, its group (what it is compared with),
    and how its host runs it. kind is chain|lv2|ladspa|sox|floor (floor.c,
    which runs only itself); args are the
    host's arguments before IN OUT (for sox: the effect, after them)."""

    def __init__(self, name, group, kind, args, ours, note=""):
        self.name, self.group, self.kind, self.args = name, group, kind, list(args)
        self.ours, self.note = ours, note

    def command(self, tools, src, dst, flags=()):
        """The command line; flags are --time or --null (sox: --null
        drops the effect)."""
        if self.kind == "sox":
            effect = [] if "--null" in flags else self.args
            return ["sox", "-q", "-D", src, "-e", "floating-point", "-b", "32", dst] + effect
        return [tools[self.kind]] + list(flags) + self.args + [src, dst]

    def run(self, tools, src, dst, flags=()):
        """Runs it; returns the host's stdout."""
        got = subprocess.run(self.command(tools, src, dst, flags), capture_output=True,
                             text=True)
        if got.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (self.name, got.returncode,
                                                       got.stderr.strip()[-400:]))
        return got.stdout


def tools_in(build):
    return {"chain": os.path.join(build, "bench", "chainhost"),
            "lv2": os.path.join(build, "tests", "lv2host"),
            "ladspa": os.path.join(build, "bench", "ladspahost"),
            "floor": os.path.join(build, "bench", "floor")}


def child_cpu(cmd):
    """CPU seconds (user + system, every thread) of a child process."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError("%s failed" % " ".join(cmd))
    return usage.ru_utime + usage.ru_stime


def cpu_ns_once(cfg, tools, src, dst, samples):
    """One timing of cfg on src: CPU nanoseconds per sample."""
    if cfg.kind == "sox":
        base = child_cpu(cfg.command(tools, src, dst, ["--null"]))
        full = child_cpu(cfg.command(tools, src, dst))
        return 1e9 * max(full - base, 0.0) / samples
    out = cfg.run(tools, src, dst, ["--time"])
    return float(re.search(r"cpu_ns_per_sample (\S+)", out).group(1))


def cpu_ns(configs, tools, src, dst, samples, runs):
    """{name: median ns per sample} over `runs` rounds, each round running
    every configuration once in turn, so that a slow spell of the machine
    falls on all of them alike."""
    times = {c.name: [] for c in configs}
    for _ in range(runs):
        for c in configs:
            times[c.name].append(cpu_ns_once(c, tools, src, dst, samples))
    return {k: statistics.median(v) for k, v in times.items()}


def _callgrind(cmd, tmp):
    out = os.path.join(tmp, "callgrind.out")
    subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + cmd,
                   capture_output=True, text=True, check=True)
    with open(out, encoding="utf-8") as f:
        total = int(re.search(r"^summary:\s+(\d+)", f.read(), re.M).group(1))
    os.unlink(out)
    return total


def instructions(cfg, tools, sig, tmp, flags=()):
    """Instructions per sample: callgrind's (4 s) - (2 s) over 2 s of
    samples, every thread counted."""
    dst = os.path.join(tmp, "cg.wav")
    counts = [_callgrind(cfg.command(tools, src, dst, flags), tmp)
              for src in (sig.di_short, sig.di_long)]
    return (counts[1] - counts[0]) / (2.0 * RATE)


def net_instructions(cfg, tools, sig, tmp, baselines):
    """instructions() net of the host's own per-sample cost, measured once
    per host kind (with this configuration's plugin loaded but idle) and
    kept in baselines."""
    if cfg.kind not in baselines:
        baselines[cfg.kind] = instructions(cfg, tools, sig, tmp, ["--null"])
    return instructions(cfg, tools, sig, tmp) - baselines[cfg.kind]


# ---------------------------------------------------------------- figures

def tone_figures(gs, path, hz):
    """(THD as a fraction, strongest non-harmonic spur in dBc) of the last
    65536 samples of path, by `gainstage measure --file --freq`."""
    got = subprocess.run([gs, "measure", "--file", path, "--freq", "%.6f" % on_bin(hz),
                          "--json"], capture_output=True, text=True, check=True).stdout
    ch = json.loads(got)["channels"][0]
    return ch["thd"], ch["alias_dbc"]


def thd(cfg, tools, gs, sig, tmp, hz, peak):
    out = os.path.join(tmp, "tone-out.wav")
    cfg.run(tools, sig.tone(hz, peak), out)
    return tone_figures(gs, out, hz)[0]


def alias_at_drive(cfg, tools, gs, sig, tmp, hz, levels, thd_goal=0.10):
    """The first of levels (peaks) at which a sine of hz reaches thd_goal
    THD through cfg, as (level, THD, alias dBc); the last level if none
    does (a linear configuration)."""
    out = os.path.join(tmp, "tone-out.wav")
    for level in levels:
        cfg.run(tools, sig.tone(hz, level), out)
        t, alias = tone_figures(gs, out, hz)
        if t >= thd_goal:
            break
    return level, t, alias


def latency(cfg, tools, sig, tmp):
    """Samples from the input impulse to the largest output sample (the
    peak of the impulse response: a pure delay's delay, a linear-phase
    filter's centre; a minimum-phase system's is its first few samples)."""
    out = os.path.join(tmp, "impulse-out.wav")
    cfg.run(tools, sig.impulse, out)
    y = read_wav(out)
    finite = [abs(v) if math.isfinite(v) else 0.0 for v in y]
    peak = max(range(len(finite)), key=finite.__getitem__)
    return peak - sig.IMPULSE_AT if finite[peak] > 0 else None


def _rms(y, a, b):
    seg = y[a:b]
    return math.sqrt(sum(v * v for v in seg) / len(seg)) if seg else 0.0


def nan_behaviour(cfg, tools, sig, tmp, window=48):
    """What one NaN in the input does: ("NaN forever" | "silent" |
    "recovers", samples from the NaN until the output is finite and
    audible for good).

    Audible: every window (one 1 kHz period) after the recovery point has
    an rms within 40 dB of the same window of the run without the NaN.
    Silent: the last quarter second is 40 dB or more below it, or the
    output never recovers that way; NaN forever: the output still holds a
    non-finite sample at its end."""
    out, ref_out = os.path.join(tmp, "nan-out.wav"), os.path.join(tmp, "nan-ref.wav")
    cfg.run(tools, sig.nan, out)
    cfg.run(tools, sig.nan_ref, ref_out)
    y, ref = read_wav(out), read_wav(ref_out)
    n, at = min(len(y), len(ref)), sig.NAN_AT
    if not all(math.isfinite(v) for v in y[n - window:n]):
        return "NaN forever", None
    last_bad = None
    for i in range(at, n):
        if not math.isfinite(y[i]):
            last_bad = i
    start = at if last_bad is None else last_bad + 1
    clean = [0.0 if not math.isfinite(v) else v for v in y]
    tail = n - RATE // 4
    if _rms(clean, tail, n) < 0.01 * _rms(ref, tail, n):
        return "silent", None
    recovered = start
    for a in range(at - at % window, n - window + 1, window):
        if a + window <= start:
            continue
        if _rms(clean, a, a + window) < 0.01 * _rms(ref, a, a + window):
            recovered = a + window
    if recovered >= n - window:
        return "silent", None
    return "recovers", recovered - at

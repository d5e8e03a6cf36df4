"""Write a 32-bit float WAV: a 1 kHz sine at half scale, 48 kHz, 1 s long
unless told, with 100 NaN samples at 0.5 s (sox cannot write NaN).
Usage: nan_wav.py OUT [SECONDS]"""
import math
import struct
import sys

rate = 48000
n = int(rate * float(sys.argv[2])) if len(sys.argv) > 2 else rate
x = [0.5 * math.sin(2 * math.pi * 1000 * i / rate) for i in range(n)]
for i in range(24000, 24100):
    x[i] = float("nan")
data = struct.pack("<%df" % n, *x)
fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)  # WAVE_FORMAT_IEEE_FLOAT
body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
body += b"data" + struct.pack("<I", len(data)) + data
with open(sys.argv[1], "wb") as f:
    f.write(b"RIFF" + struct.pack("<I", len(body)) + body)

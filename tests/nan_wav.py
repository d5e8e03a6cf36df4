"""Write a 32-bit float WAV: 1 s of a 1 kHz sine at half scale, 48 kHz,
with 100 NaN samples at 0.5 s (sox cannot write NaN). Usage: nan_wav.py OUT"""
import math
import struct
import sys

rate, n = 48000, 48000
x = [0.5 * math.sin(2 * math.pi * 1000 * i / rate) for i in range(n)]
for i in range(24000, 24100):
    x[i] = float("nan")
data = struct.pack("<%df" % n, *x)
fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)  # WAVE_FORMAT_IEEE_FLOAT
body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
body += b"data" + struct.pack("<I", len(data)) + data
with open(sys.argv[1], "wb") as f:
    f.write(b"RIFF" + struct.pack("<I", len(body)) + body)

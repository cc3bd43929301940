#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Synthesises examples/demo.wav, the example sound that scripts/demo.sh and the Pd help
patches play through the example models: 2.5 s, mono, 48 kHz, 16-bit, a few plucked notes
over a kick-and-hat pattern (tonal and percussive parts, so that every example model has
something to work on). Deterministic: the same file comes out every time."""
import math
import os
import random
import struct
import wave

RATE = 48000
SECONDS = 2.5


def render():
    n = int(RATE * SECONDS)
    out = [0.0] * n
    notes = [(0.00, 220.00), (0.30, 277.18), (0.60, 329.63), (0.90, 440.00),
             (1.25, 392.00), (1.55, 329.63), (1.85, 277.18), (2.15, 220.00)]
    for start, freq in notes:
        s0 = int(start * RATE)
        for i in range(int(0.6 * RATE)):
            if s0 + i >= n:
                break
            t = i / RATE
            env = math.exp(-5.0 * t) * min(1.0, t * 400.0)
            tone = sum(math.sin(2 * math.pi * freq * k * t) / k ** 1.5 for k in (1, 2, 3, 4))
            out[s0 + i] += 0.25 * env * tone
    rng = random.Random(1234)
    for beat in range(10):
        s0 = int(beat * 0.25 * RATE)
        if beat % 2 == 0:  # kick: falling sine
            for i in range(int(0.15 * RATE)):
                t = i / RATE
                out[s0 + i] += 0.5 * math.exp(-25 * t) * math.sin(2 * math.pi * (50 + 120 * math.exp(-40 * t)) * t)
        for i in range(int(0.04 * RATE)):  # hat: decaying noise
            if s0 + i < n:
                out[s0 + i] += 0.15 * math.exp(-120 * i / RATE) * rng.uniform(-1, 1)
    peak = max(abs(v) for v in out)
    return [v * 0.8 / peak for v in out]


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo.wav")
    samples = render()
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(round(v * 32767))) for v in samples))
    print(f"wrote {path} ({len(samples)} samples)")


if __name__ == "__main__":
    main()

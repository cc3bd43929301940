# SPDX-License-Identifier: MIT
"""Example nn~ model: small audio effects with attributes (exported as nn_effects.ts).

No learning here: the point is to show the nn_tilde API on plain DSP. Methods:
  gain      [1,1,1,1]  y = factor * x
  saturate  [1,1,1,1]  tanh, hard clip or soft ("x / (1 + |x|)") of drive * x, by `mode`
  crush     [1,1,1,1]  quantises to `bits` bits
  midside   [2,1,2,1]  (L, R) -> (M, S) = ((L + R) / 2, (L - R) / 2)
  width     [2,1,2,1]  stereo width: S scaled by `spread`, back to (L, R)
  rms       [1,1,1,1024]  RMS of each block of 1024 samples
Attributes: factor float 1.0, drive float 1.0, mode str "tanh" (tanh|clip|soft), bits int 8
(1..24), spread float 1.0.
Usage: /usr/bin/python3 python/examples/effects.py OUT.ts   (PYTHONPATH=python)
"""
import sys

import torch

import nn_tilde


class Effects(nn_tilde.Module):
    def __init__(self) -> None:
        super().__init__()
        self.register_attribute("factor", 1.0)
        self.register_attribute("drive", 1.0)
        self.register_attribute("mode", "tanh")
        self.register_attribute("bits", 8)
        self.register_attribute("spread", 1.0)

        self.register_method("gain", 1, 1, 1, 1, ["(signal) input"], ["(signal) factor * input"])
        self.register_method("saturate", 1, 1, 1, 1, ["(signal) input"],
                             ["(signal) saturated input"])
        self.register_method("crush", 1, 1, 1, 1, ["(signal) input"], ["(signal) quantised"])
        self.register_method("midside", 2, 1, 2, 1, ["(signal) left", "(signal) right"],
                             ["(signal) mid", "(signal) side"])
        self.register_method("width", 2, 1, 2, 1, ["(signal) left", "(signal) right"],
                             ["(signal) left", "(signal) right"])
        self.register_method("rms", 1, 1, 1, 1024, ["(signal) input"],
                             ["(signal) RMS per 1024 samples"])

    # Custom setters refuse values that make no sense; the getters are generated.
    @torch.jit.export
    def set_mode(self, mode: str) -> int:
        if mode not in ["tanh", "clip", "soft"]:
            return -1
        self.mode = (mode,)
        return 0

    @torch.jit.export
    def set_bits(self, bits: int) -> int:
        if bits < 1 or bits > 24:
            return -1
        self.bits = (bits,)
        return 0

    @torch.jit.export
    def gain(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.factor[0]

    @torch.jit.export
    def saturate(self, x: torch.Tensor) -> torch.Tensor:
        driven = x * self.drive[0]
        if self.mode[0] == "clip":
            return driven.clamp(-1.0, 1.0)
        if self.mode[0] == "soft":
            return driven / (1.0 + driven.abs())
        return torch.tanh(driven)

    @torch.jit.export
    def crush(self, x: torch.Tensor) -> torch.Tensor:
        steps = float(2 ** (self.bits[0] - 1))
        return torch.round(x.clamp(-1.0, 1.0) * steps) / steps

    @torch.jit.export
    def midside(self, x: torch.Tensor) -> torch.Tensor:
        left, right = x[:, 0], x[:, 1]
        return torch.stack([(left + right) / 2, (left - right) / 2], dim=1)

    @torch.jit.export
    def width(self, x: torch.Tensor) -> torch.Tensor:
        mid = (x[:, 0] + x[:, 1]) / 2
        side = (x[:, 0] - x[:, 1]) / 2 * self.spread[0]
        return torch.stack([mid + side, mid - side], dim=1)

    @torch.jit.export
    def rms(self, x: torch.Tensor) -> torch.Tensor:
        blocks = x.reshape(x.shape[0], x.shape[1], -1, 1024)
        return blocks.pow(2).mean(-1).sqrt()


def export(path: str) -> None:
    Effects().export_to_ts(path)


if __name__ == "__main__":
    export(sys.argv[1] if len(sys.argv) > 1 else "nn_effects.ts")

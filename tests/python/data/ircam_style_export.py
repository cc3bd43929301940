# SPDX-License-Identifier: MIT
"""An export script written the way scripts for IRCAM's nn_tilde package are written.

It follows the shape of RAVE's export (a wrapper subclassing nn_tilde.Module, keyword
arguments to register_method, labels, attributes with hand-written getters returning bare
values, lists or tuples, a Buffer attribute, sr passed to Module, torch.jit.script of the
instance and then export_to_ts). It must run unchanged with our package: the test runs it
as a separate process and then checks the file it writes.
Usage: ircam_style_export.py OUT.ts
"""
import sys
from typing import List, Tuple

import torch
import torch.nn as nn

import nn_tilde


class Codec(nn.Module):
    def __init__(self, latent: int, ratio: int):
        super().__init__()
        self.encoder = nn.Conv1d(1, latent, ratio, stride=ratio)
        self.decoder = nn.ConvTranspose1d(latent, 1, ratio, stride=ratio)


class ScriptedCodec(nn_tilde.Module):
    def __init__(self, codec: Codec, latent: int, ratio: int, sr: int = 44100):
        super().__init__(sr=sr)
        self.codec = codec
        self.latent = latent
        self.register_attribute("learn_target", False)
        self.register_attribute("temperature", 1.0)
        self.register_attribute("polynomial_factors", (1., 0., 0., 0.))
        self.register_attribute("fractal", (2, 0.))
        self.register_attribute("wave", nn_tilde.Buffer(None, min_samples=64, max_samples=2048))
        self.register_method(
            "encode",
            in_channels=1,
            in_ratio=1,
            out_channels=latent,
            out_ratio=ratio,
            input_labels=["(signal) Channel 1"],
            output_labels=[f"(signal) Latent dimension {i + 1}" for i in range(latent)],
        )
        self.register_method(
            "decode",
            in_channels=latent,
            in_ratio=ratio,
            out_channels=1,
            out_ratio=1,
            input_labels=[f"(signal) Latent dimension {i + 1}" for i in range(latent)],
            output_labels=["(signal) Channel 1"],
        )
        self.register_method("forward", in_channels=1, in_ratio=1, out_channels=1,
                             out_ratio=1)

    @torch.jit.export
    def encode(self, x):
        return self.codec.encoder(x) * self.temperature[0]

    @torch.jit.export
    def decode(self, z):
        return torch.tanh(self.codec.decoder(z))

    def forward(self, x):
        return self.decode(self.encode(x))

    @torch.jit.export
    def get_learn_target(self) -> bool:
        return self.learn_target[0]

    @torch.jit.export
    def set_learn_target(self, learn_target: bool) -> int:
        self.learn_target = (learn_target,)
        return 0

    @torch.jit.export
    def get_polynomial_factors(self) -> List[float]:
        return list(self.polynomial_factors)

    @torch.jit.export
    def get_fractal(self) -> Tuple[int, float]:
        return self.fractal

    @torch.jit.export
    def set_fractal(self, factor: int, amount: float) -> int:
        if factor <= 0 or factor % 2 != 0:
            return -1
        self.fractal = (factor, amount)
        return 0


if __name__ == "__main__":
    torch.manual_seed(0)
    model = ScriptedCodec(Codec(4, 64), 4, 64)
    model.eval()
    scripted = torch.jit.script(model)
    model.export_to_ts(sys.argv[1])

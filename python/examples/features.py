# SPDX-License-Identifier: MIT
"""Example nn~ model: streaming spectral features (exported as nn_features.ts).

Each call receives the next block of a continuous signal. A short-time Fourier transform with
n_fft = 1024 and hop = 256 needs the last 768 samples of the previous block, so every method
keeps them in a cache (one per method, since nn~ may call them from different objects, and
reset when the batch size changes). B samples give B / 256 frames: every method is
[1, 1, 1, 256]. The frequency axis follows the sample rate the host sets (default 44100).
  rms        RMS of the 1024-sample frame
  centroid   spectral centroid in Hz (sum f S / sum S, S = power spectrum)
  bandwidth  spread around the centroid in Hz (sqrt(sum S (f - centroid)^2 / sum S))
  flatness   geometric / arithmetic mean of the power spectrum, in [0, 1]
Usage: /usr/bin/python3 python/examples/features.py OUT.ts   (PYTHONPATH=python)
"""
import sys
from typing import Tuple

import torch

import nn_tilde

N_FFT = 1024
HOP = 256
EPS = 1e-10


class Features(nn_tilde.Module):
    def __init__(self) -> None:
        super().__init__(sr=44100)
        self.n_fft = N_FFT
        self.hop = HOP
        self.eps = EPS
        self.register_buffer("window", torch.hann_window(self.n_fft))
        for name in ("rms", "centroid", "bandwidth", "flatness"):
            self.register_buffer(f"cache_{name}", torch.zeros(1, 1, self.n_fft - self.hop))
        labels = {"rms": "(signal) RMS", "centroid": "(signal) centroid (Hz)",
                  "bandwidth": "(signal) bandwidth (Hz)", "flatness": "(signal) flatness"}
        for name, label in labels.items():
            self.register_method(name, 1, 1, 1, self.hop, ["(signal) input"], [label])

    def _frames(self, x: torch.Tensor, cache: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Frames [batch, channels, frames, n_fft] of cache + x, and the next cache."""
        if cache.shape[0] != x.shape[0] or cache.shape[1] != x.shape[1]:
            cache = torch.zeros(x.shape[0], x.shape[1], self.n_fft - self.hop)
        signal = torch.cat([cache, x], dim=-1)
        kept = signal[..., -(self.n_fft - self.hop):].clone()
        return signal.unfold(-1, self.n_fft, self.hop), kept

    def _power(self, frames: torch.Tensor) -> torch.Tensor:
        return torch.fft.rfft(frames * self.window).abs().pow(2)

    def _frequencies(self) -> torch.Tensor:
        sr = float(self.get_sample_rate())
        return torch.arange(self.n_fft // 2 + 1, dtype=torch.float32) * sr / self.n_fft

    def _centroid(self, power: torch.Tensor) -> torch.Tensor:
        return (power * self._frequencies()).sum(-1) / (power.sum(-1) + self.eps)

    @torch.jit.export
    def rms(self, x: torch.Tensor) -> torch.Tensor:
        frames, self.cache_rms = self._frames(x, self.cache_rms)
        return frames.pow(2).mean(-1).sqrt()

    @torch.jit.export
    def centroid(self, x: torch.Tensor) -> torch.Tensor:
        frames, self.cache_centroid = self._frames(x, self.cache_centroid)
        return self._centroid(self._power(frames))

    @torch.jit.export
    def bandwidth(self, x: torch.Tensor) -> torch.Tensor:
        frames, self.cache_bandwidth = self._frames(x, self.cache_bandwidth)
        power = self._power(frames)
        spread = (self._frequencies() - self._centroid(power).unsqueeze(-1)).pow(2)
        return ((power * spread).sum(-1) / (power.sum(-1) + self.eps)).sqrt()

    @torch.jit.export
    def flatness(self, x: torch.Tensor) -> torch.Tensor:
        frames, self.cache_flatness = self._frames(x, self.cache_flatness)
        power = self._power(frames) + self.eps
        return torch.exp(power.log().mean(-1)) / power.mean(-1)


def export(path: str) -> None:
    Features().export_to_ts(path)


if __name__ == "__main__":
    export(sys.argv[1] if len(sys.argv) > 1 else "nn_features.ts")

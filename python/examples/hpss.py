# SPDX-License-Identifier: MIT
"""Example nn~ model: streaming harmonic/percussive separation (exported as nn_hpss.ts).

Median-filtering separation without any trained weights. Harmonic sounds are steady along
time in a magnitude spectrogram, percussive ones are spread along frequency: a median along
time estimates the harmonic part, a median along frequency the percussive part, and soft
masks H^p / (H^p + P^p) split the spectrum, which is resynthesised by overlap-add.

To run block by block, the model keeps three caches between calls: the last 768 input samples
(the STFT of n_fft 1024 and hop 256 needs them), the last 16 magnitude frames (the median along
time looks only at past frames, so it stays causal) and the last 768 samples of the
overlap-add. The output is the input delayed by 768 samples (n_fft - hop) on top of nn~'s own
latency. Caches are reset when the batch size changes.
  forward [1,1,2,1]  outputs (harmonic, percussive); their sum is the delayed input
Attribute: power float 2.0, the mask exponent p (larger = harder separation).
Usage: /usr/bin/python3 python/examples/hpss.py OUT.ts   (PYTHONPATH=python)
"""
import sys

import torch
import torch.nn.functional as F

import nn_tilde

N_FFT = 1024
HOP = 256
TIME_KERNEL = 17
FREQ_KERNEL = 17
EPS = 1e-10


class Hpss(nn_tilde.Module):
    def __init__(self) -> None:
        super().__init__(sr=44100)
        self.n_fft = N_FFT
        self.hop = HOP
        self.time_kernel = TIME_KERNEL
        self.freq_kernel = FREQ_KERNEL
        self.eps = EPS
        # A periodic Hann window at 75 % overlap sums (squared) to 1.5: dividing by it makes
        # analysis + synthesis windowing transparent.
        self.register_buffer("window", torch.hann_window(self.n_fft))
        self.register_buffer("input_cache", torch.zeros(1, self.n_fft - self.hop))
        self.register_buffer("history", torch.zeros(1, self.time_kernel - 1, self.n_fft // 2 + 1))
        self.register_buffer("overlap", torch.zeros(2, 1, self.n_fft - self.hop))
        self.register_attribute("power", 2.0)
        self.register_method("forward", 1, 1, 2, 1, ["(signal) input"],
                             ["(signal) harmonic", "(signal) percussive"])

    @torch.jit.export
    def set_power(self, power: float) -> int:
        if power <= 0.0:
            return -1
        self.power = (power,)
        return 0

    def _reset(self, batch: int) -> None:
        self.input_cache = torch.zeros(batch, self.n_fft - self.hop)
        self.history = torch.zeros(batch, self.time_kernel - 1, self.n_fft // 2 + 1)
        self.overlap = torch.zeros(2, batch, self.n_fft - self.hop)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch = x.shape[0]
        if self.input_cache.shape[0] != batch:
            self._reset(batch)
        signal = torch.cat([self.input_cache, x[:, 0]], dim=-1)
        self.input_cache = signal[:, -(self.n_fft - self.hop):].clone()

        # [batch, frames, bins]
        spectrum = torch.fft.rfft(signal.unfold(-1, self.n_fft, self.hop) * self.window)
        magnitude = spectrum.abs()
        frames = magnitude.shape[1]

        past = torch.cat([self.history, magnitude], dim=1)
        self.history = past[:, -(self.time_kernel - 1):].clone()
        harmonic = past.unfold(1, self.time_kernel, 1).median(-1).values  # [b, T, F]
        padded = F.pad(magnitude, [self.freq_kernel // 2, self.freq_kernel // 2], mode="replicate")
        percussive = padded.unfold(-1, self.freq_kernel, 1).median(-1).values

        p = self.power[0]
        h_weight = harmonic.pow(p)
        p_weight = percussive.pow(p)
        mask = h_weight / (h_weight + p_weight + self.eps)
        parts = torch.stack([spectrum * mask, spectrum * (1.0 - mask)])  # [2, b, T, F]

        grains = torch.fft.irfft(parts, n=self.n_fft) * self.window / 1.5  # [2, b, T, N]
        length = (frames - 1) * self.hop + self.n_fft
        summed = F.fold(grains.reshape(2 * batch, frames, self.n_fft).transpose(1, 2),
                        output_size=(1, length), kernel_size=(1, self.n_fft), stride=(1, self.hop))
        summed = summed.reshape(2, batch, length)
        head = summed[..., : self.n_fft - self.hop] + self.overlap
        summed = torch.cat([head, summed[..., self.n_fft - self.hop:]], dim=-1)
        self.overlap = summed[..., -(self.n_fft - self.hop):].clone()
        return summed[..., : x.shape[-1]].permute(1, 0, 2).contiguous()


def export(path: str) -> None:
    Hpss().export_to_ts(path)


if __name__ == "__main__":
    export(sys.argv[1] if len(sys.argv) > 1 else "nn_hpss.ts")

# SPDX-License-Identifier: MIT
"""Behaviour of the example models (python/examples), loaded from the generated files."""
import math

import torch


def sine(frequency: float, frames: int, sr: int = 44100) -> torch.Tensor:
    n = torch.arange(frames, dtype=torch.float64)
    return (0.5 * torch.sin(2 * math.pi * frequency * n / sr)).float().reshape(1, 1, -1)


def test_effects(model_path):
    fx = torch.jit.load(model_path("examples/nn_effects.ts"))
    assert fx.get_methods() == ["gain", "saturate", "crush", "midside", "width", "rms"]
    x = torch.linspace(-2, 2, 64).reshape(1, 1, -1)
    assert fx.set_factor(0.5) == 0 and torch.allclose(fx.gain(x), x * 0.5)
    assert torch.allclose(fx.saturate(x), torch.tanh(x))
    assert fx.set_mode("clip") == 0 and torch.allclose(fx.saturate(x), x.clamp(-1, 1))
    assert fx.set_mode("soft") == 0 and torch.allclose(fx.saturate(x), x / (1 + x.abs()))
    assert fx.set_mode("fuzz") == -1 and fx.get_mode() == ("soft",)
    assert fx.set_bits(0) == -1 and fx.set_bits(2) == 0
    assert set(fx.crush(x).flatten().tolist()) <= {-1.0, -0.5, 0.0, 0.5, 1.0}
    stereo = torch.rand(1, 2, 32)
    ms = fx.midside(stereo)
    assert torch.allclose(ms[:, 0] + ms[:, 1], stereo[:, 0])
    assert torch.allclose(fx.width(stereo), stereo)
    assert fx.set_spread(0.0) == 0
    mono = fx.width(stereo)
    assert torch.allclose(mono[:, 0], mono[:, 1])
    rms = fx.rms(torch.cat([torch.ones(1, 1, 1024), torch.zeros(1, 1, 1024)], -1))
    assert rms.flatten().tolist() == [1.0, 0.0]


def test_features_stream_and_follow_the_sample_rate(model_path):
    whole = torch.jit.load(model_path("examples/nn_features.ts"))
    x = sine(1000.0, 8192)
    centroid = whole.centroid(x)
    assert centroid.shape == (1, 1, 32)
    assert abs(centroid[0, 0, 10:].mean().item() - 1000.0) < 20.0
    blocks = torch.jit.load(model_path("examples/nn_features.ts"))
    pieces = torch.cat([blocks.centroid(b) for b in x.split(512, -1)], -1)
    assert torch.allclose(pieces, centroid, rtol=1e-4)
    assert whole.rms(torch.ones(1, 1, 1024))[0, 0, -1].item() == 1.0
    noise = torch.rand(1, 1, 4096, generator=torch.Generator().manual_seed(1)) - 0.5
    assert whole.flatness(noise)[0, 0, -1] > 10 * whole.flatness(x[..., :4096])[0, 0, -1]
    assert whole.bandwidth(x)[0, 0, -1] < whole.bandwidth(noise)[0, 0, -1]
    whole.set_sample_rate(22050)
    assert whole.get_sample_rate() == 22050
    rerun = whole.centroid(x)
    assert abs(rerun[0, 0, -1].item() - 500.0) < 10.0


def test_hpss_reconstructs_and_separates(model_path):
    hpss = torch.jit.load(model_path("examples/nn_hpss.ts"))
    x = sine(440.0, 16384)
    clicks = torch.zeros_like(x)
    clicks[..., 1000::3000] = 0.9
    signal = x + clicks
    y = torch.cat([hpss(b) for b in signal.split(1024, -1)], -1)
    assert y.shape == (1, 2, 16384)
    delay = 768
    assert torch.allclose(y.sum(1)[0, delay:], signal[0, 0, :-delay], atol=1e-4)
    harmonic, percussive = y[0, 0, 4096:], y[0, 1, 4096:]
    tone = x[0, 0, 4096 - delay:-delay]
    assert (harmonic - tone).pow(2).mean() < 0.1 * tone.pow(2).mean()
    assert percussive.abs().max() > 0.5
    assert hpss.set_power(-1.0) == -1 and hpss.set_power(1.0) == 0

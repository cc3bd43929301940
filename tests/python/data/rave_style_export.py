# SPDX-License-Identifier: MIT
"""An export script written the way RAVE's scripts/export.py is written, for IRCAM's nn_tilde
package; it must run unchanged with ours (tests/python/test_rave_style.py runs it as its own
process and then plays the file in the C library, Pd and `nntilde run`).

What it has in common with RAVE's export (written here from scratch, small and with random
weights): a variational encoder and decoder made of cached streaming convolutions (the
`cached_conv` idea: each convolution keeps the end of the previous block, for MAX_BATCH_SIZE
examples), a ScriptedModel subclass of nn_tilde.Module that sets `self.sr` itself, registers
boolean attributes with hand-written getters and setters, a warm-up call that sizes the
caches before registering, register_method with keyword arguments and labels, a decode that
reads `self.decode_params` while it runs (so it needs the params during its self-test), a
forward calling decode with a keyword argument, an un-annotated `set_stereo_mode`, a
VariationalScriptedModel subclass whose latent post/pre-processing samples noise, the
encode/decode call before export_to_ts, and the stereo check after it.

RAVE imports the `cached_conv` package; IRCAM's exporter reads its MAX_BATCH_SIZE to decide
whether to self-test each method a second time with several examples. That package is not
installed here, so this script's own cached convolutions are published under that name.

Sampling: like RAVE, encode samples the latent (mean + std * noise) and decode draws the
latent dimensions that were cropped; both noises are scaled by the `temperature` attribute
(default 1.0). At temperature 0 the model is deterministic (the mean path), which is what the
tests compare across Python torch, Pd and nntilde.

Usage: rave_style_export.py --output DIR [--name NAME] [--streaming] [--sr SR]
"""
import argparse
import logging
import math
import os
import sys
import types
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

logging.basicConfig(level=logging.INFO)
torch.set_grad_enabled(False)

import nn_tilde  # noqa: E402

# ---- cached streaming convolutions (the cached_conv idea) ---------------------------------

MAX_BATCH_SIZE = 8
USE_CACHED_CONV = False


def use_cached_conv(state: bool) -> None:
    global USE_CACHED_CONV
    USE_CACHED_CONV = state


class CachedPadding1d(nn.Module):
    """Prepends the last `padding` samples of the previous call (zeros at first)."""

    def __init__(self, channels: int, padding: int):
        super().__init__()
        self.padding = padding
        self.register_buffer("pad", torch.zeros(MAX_BATCH_SIZE, channels, padding))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.padding == 0:
            return x
        x = torch.cat([self.pad[:x.shape[0]], x], -1)
        self.pad[:x.shape[0]].copy_(x[..., -self.padding:])
        return x


class Conv1d(nn.Conv1d):
    """Causal convolution: output length = input length / stride. Cached in streaming mode,
    zero-padded on every call otherwise."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 dilation: int = 1):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride,
                         dilation=dilation)
        self.future = (kernel_size - 1) * dilation + 1 - stride
        assert self.future >= 0, "kernel shorter than its stride"
        self.cached = USE_CACHED_CONV
        self.cache = CachedPadding1d(in_channels, self.future)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.cached:
            x = self.cache(x)
        else:
            x = F.pad(x, (self.future, 0))
        return F.conv1d(x, self.weight, self.bias, self.stride, 0, self.dilation)


class ConvTranspose1d(nn.ConvTranspose1d):
    """Upsampling by `stride` (kernel 2 * stride): the overlapping tail of each call is added
    to the head of the next one in streaming mode, dropped otherwise."""

    def __init__(self, in_channels: int, out_channels: int, stride: int):
        super().__init__(in_channels, out_channels, 2 * stride, stride=stride)
        self.tail = stride
        self.cached = USE_CACHED_CONV
        self.register_buffer("overlap", torch.zeros(MAX_BATCH_SIZE, out_channels, stride))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.conv_transpose1d(x, self.weight, None, self.stride)
        if self.cached:
            head = y[..., :self.tail] + self.overlap[:y.shape[0]]
            self.overlap[:y.shape[0]].copy_(y[..., -self.tail:])
            y = torch.cat([head, y[..., self.tail:-self.tail]], -1)
        else:
            y = y[..., :-self.tail]
        bias = self.bias
        if bias is not None:
            y = y + bias.unsqueeze(-1)
        return y


# Published as the cached_conv package for the exporter (see the module docstring).
if "cached_conv" not in sys.modules:
    _cc = types.ModuleType("cached_conv")
    _cc.MAX_BATCH_SIZE = MAX_BATCH_SIZE
    _cc.use_cached_conv = use_cached_conv
    _cc.Conv1d = Conv1d
    _cc.ConvTranspose1d = ConvTranspose1d
    _cc.CachedPadding1d = CachedPadding1d
    sys.modules["cached_conv"] = _cc
import cached_conv as cc  # noqa: E402

# ---- the "pretrained" model ---------------------------------------------------------------


class VariationalEncoder(nn.Module):
    def __init__(self, channels: int, width: int, strides: Tuple[int, ...], latent: int):
        super().__init__()
        layers = [cc.Conv1d(channels, width, 7)]
        for stride in strides:
            layers += [nn.LeakyReLU(.2), cc.Conv1d(width, width, 2 * stride, stride=stride)]
        layers += [nn.LeakyReLU(.2), cc.Conv1d(width, 2 * latent, 3)]
        self.net = nn.Sequential(*layers)

    def reparametrize(self, z: torch.Tensor, temperature: float) -> Tuple[torch.Tensor,
                                                                          torch.Tensor]:
        mean, scale = z.chunk(2, 1)
        std = F.softplus(scale) + 1e-4
        var = std * std
        kl = (mean * mean + var - torch.log(var) - 1).sum(1).mean()
        return mean + temperature * std * torch.randn_like(mean), kl

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class Decoder(nn.Module):
    def __init__(self, channels: int, width: int, strides: Tuple[int, ...], latent: int):
        super().__init__()
        layers = [cc.Conv1d(latent, width, 3)]
        for stride in reversed(strides):
            layers += [nn.LeakyReLU(.2), cc.ConvTranspose1d(width, width, stride)]
        layers += [nn.LeakyReLU(.2), cc.Conv1d(width, channels, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class Pretrained(nn.Module):
    def __init__(self, sr: int, n_channels: int = 1, latent_size: int = 8,
                 strides: Tuple[int, ...] = (4, 4, 4)):
        super().__init__()
        torch.manual_seed(0)  # random but reproducible weights
        self.sr = sr
        self.n_channels = n_channels
        self.latent_size = latent_size
        self.encoder = VariationalEncoder(n_channels, 32, strides, latent_size)
        self.decoder = Decoder(n_channels, 32, strides, latent_size)
        # Weights that keep the signal's level through the layers (PyTorch's default
        # initialisation shrinks it at every layer), biases small: the output follows the input.
        for module in self.modules():
            if isinstance(module, (nn.Conv1d, nn.ConvTranspose1d)):
                nn.init.kaiming_normal_(module.weight, a=.2)
                if module.bias is not None:
                    nn.init.normal_(module.bias, std=.01)
        pca = torch.linalg.qr(torch.randn(latent_size, latent_size))[0]
        self.register_buffer("latent_pca", pca)
        self.register_buffer("latent_mean", 0.1 * torch.randn(latent_size))
        # explained variance per PCA dimension: 4 dimensions reach the default fidelity .95
        fidelity = torch.tensor([.6, .8, .9, .96, .98, .99, .995, 1.])
        self.register_buffer("fidelity", fidelity[:latent_size])


# ---- the export (the shape of RAVE's scripts/export.py) -----------------------------------


class ScriptedModel(nn_tilde.Module):

    def __init__(self, pretrained: Pretrained, fidelity: float = .95) -> None:
        super().__init__()
        self.sr = pretrained.sr
        self.n_channels = pretrained.n_channels
        self.target_channels = self.n_channels
        self.stereo_mode = False
        self.full_latent_size = pretrained.latent_size

        self.register_attribute("learn_target", False)
        self.register_attribute("reset_target", False)
        self.register_attribute("temperature", 1.0)

        self.register_buffer("latent_pca", pretrained.latent_pca)
        self.register_buffer("latent_mean", pretrained.latent_mean)
        self.register_buffer("fidelity", pretrained.fidelity)

        latent_size = max(int(torch.argmax((pretrained.fidelity > fidelity).long())), 1)
        self.latent_size = 2**math.ceil(math.log2(latent_size))

        # the caches must exist before scripting: one warm-up call
        self.encoder = pretrained.encoder
        self.decoder = pretrained.decoder
        x_len = 2**14
        x = torch.zeros(1, self.n_channels, x_len)
        z = self.encode(x)
        ratio_encode = x_len // z.shape[-1]

        self.register_method(
            "encode",
            in_channels=self.n_channels,
            in_ratio=1,
            out_channels=self.latent_size,
            out_ratio=ratio_encode,
            input_labels=['(signal) Channel %d' % d for d in range(1, self.n_channels + 1)],
            output_labels=[f'(signal) Latent dimension {i + 1}'
                           for i in range(self.latent_size)],
        )
        self.register_method(
            "decode",
            in_channels=self.latent_size,
            in_ratio=ratio_encode,
            out_channels=self.target_channels,
            out_ratio=1,
            input_labels=[f'(signal) Latent dimension {i + 1}'
                          for i in range(self.latent_size)],
            output_labels=['(signal) Channel %d' % d
                           for d in range(1, self.target_channels + 1)],
        )
        self.register_method(
            "forward",
            in_channels=self.n_channels,
            in_ratio=1,
            out_channels=self.target_channels,
            out_ratio=1,
            input_labels=['(signal) Channel %d' % d for d in range(1, self.n_channels + 1)],
            output_labels=['(signal) Channel %d' % d
                           for d in range(1, self.target_channels + 1)],
        )

    def post_process_latent(self, z):
        raise NotImplementedError

    def pre_process_latent(self, z):
        raise NotImplementedError

    @torch.jit.export
    def set_stereo_mode(self, stereo):
        self.stereo_mode = bool(stereo)

    @torch.jit.export
    def encode(self, x):
        if self.stereo_mode and self.n_channels == 1:
            x = x[:, :1]
        z = self.encoder(x)
        z = self.post_process_latent(z)
        return z

    @torch.jit.export
    def decode(self, z, from_forward: bool = False):
        n_batch = z.shape[0]
        if self.stereo_mode:
            n_batch = int(n_batch / 2)
        z = self.pre_process_latent(z)
        y = self.decoder(z)
        # if (output-) padding is scrambled
        if y.shape[-1] > z.shape[-1] * self.decode_params[1]:
            y = y[..., :z.shape[-1] * self.decode_params[1]]
        if self.stereo_mode:
            y = torch.cat([y[:n_batch], y[n_batch:]], 1)
        return y

    def forward(self, x):
        return self.decode(self.encode(x), from_forward=True)

    @torch.jit.export
    def get_learn_target(self) -> bool:
        return self.learn_target[0]

    @torch.jit.export
    def set_learn_target(self, learn_target: bool) -> int:
        self.learn_target = (learn_target, )
        return 0

    @torch.jit.export
    def get_reset_target(self) -> bool:
        return self.reset_target[0]

    @torch.jit.export
    def set_reset_target(self, reset_target: bool) -> int:
        self.reset_target = (reset_target, )
        return 0


class VariationalScriptedModel(ScriptedModel):

    def post_process_latent(self, z):
        z = self.encoder.reparametrize(z, self.temperature[0])[0]
        z = z - self.latent_mean.unsqueeze(-1)
        z = F.conv1d(z, self.latent_pca.unsqueeze(-1))
        z = z[:, :self.latent_size]
        return z

    def pre_process_latent(self, z):
        noise = torch.randn(
            z.shape[0],
            self.full_latent_size - z.shape[1],
            z.shape[-1],
        ).type_as(z) * self.temperature[0]
        z = torch.cat([z, noise], 1)
        z = F.conv1d(z, self.latent_pca.T.unsqueeze(-1))
        z = z + self.latent_mean.unsqueeze(-1)
        return z


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", required=True, help="output folder")
    parser.add_argument("--name", default="rave_style", help="model name")
    parser.add_argument("--streaming", action="store_true", help="cached convolutions")
    parser.add_argument("--sr", type=int, default=48000, help="the model's sample rate")
    parser.add_argument("--fidelity", type=float, default=.95)
    args = parser.parse_args(argv)

    cc.use_cached_conv(args.streaming)
    logging.info("building the model")
    pretrained = Pretrained(args.sr)
    pretrained.eval()

    logging.info("script model")
    scripted = VariationalScriptedModel(pretrained=pretrained, fidelity=args.fidelity)
    x = torch.zeros(1, pretrained.n_channels, 2**14)
    z = scripted.encode(x)
    x = scripted.decode(z)

    logging.info("save model")
    name = args.name + ("_streaming" if args.streaming else "") + ".ts"
    output = os.path.abspath(args.output)
    os.makedirs(output, exist_ok=True)
    scripted.export_to_ts(os.path.join(output, name))
    try:
        scripted.set_stereo_mode(True)
        z_stereo = torch.zeros(2, scripted.latent_size, z.shape[-1])
        out = scripted.decode(z_stereo)
        assert out.shape[1] == 2, "model output is not stereo"
        logging.info("this model seems compatible with stereo hosts")
    except Exception as error:
        logging.warning("stereo mode failed: %s", error)
        return 1
    logging.info(f"all good ! model exported to {os.path.join(output, name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

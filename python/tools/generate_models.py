# SPDX-License-Identifier: MIT
"""Generates every test and example model, their metadata and golden outputs.

Run by the CMake target `models` (`--out <build>/models [--fixtures <IRCAM fixtures>]`; without
--fixtures, no metadata or golden outputs are written for IRCAM's files), so it
must be quick and deterministic: a fixed seed before every model, one torch thread, the same
files on every build. What it writes is specified in docs/test-models.md; the C tests rely on
it. The models are written with our `nn_tilde` package; metadata and golden outputs come from
loading the written files back with torch.jit.load, as the C backend does with libtorch.
"""
import argparse
import importlib.util
import json
import math
import os
import shutil
import sys
import time
from typing import Any, Dict, List, Optional, Tuple

# TorchScript writes some module constants in set order, which follows string hashing, and
# BLAS sums in an order that depends on its thread count: a fixed hash seed and one BLAS thread
# (read when the library loads, hence before importing torch) keep every file identical
# across builds.
PINNED_ENV = {"PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
if __name__ == "__main__" and any(os.environ.get(k) != v for k, v in PINNED_ENV.items()):
    os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, **PINNED_ENV))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import nn_tilde  # noqa: E402

SEED = 1234
BLOCK_FRAMES = 4096
STREAM_FRAMES = 32768
HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES_DIR = os.path.join(os.path.dirname(HERE), "examples")


# ---- test models (docs/test-models.md) ----------------------------------------------------

class Gain(nn_tilde.Module):
    def __init__(self) -> None:
        super().__init__()
        self.register_attribute("gain", 1.0)
        self.register_method("forward", 1, 1, 1, 1, input_labels=["(signal) input"],
                             output_labels=["(signal) input times gain"])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gain[0]


class Attrs(nn_tilde.Module):
    """Every attribute type; outputs constants that reveal the current values."""

    def __init__(self) -> None:
        super().__init__()
        self.register_attribute("flag", False)
        self.register_attribute("count", 0)
        self.register_attribute("level", 0.0)
        self.register_attribute("mode", "a")
        self.register_attribute("table", torch.zeros(8))
        self.register_attribute("sample", nn_tilde.Buffer(None, min_samples=16,
                                                          max_samples=4096))
        self.register_attribute("pair", (2, 0.5))
        self.register_method("forward", 1, 1, 4, 1,
                             output_labels=["flag", "count", "level", "table sum + frames"])

    @torch.jit.export
    def set_mode(self, mode: str) -> int:
        if mode not in ["a", "b", "c"]:
            return -1
        self.mode = (mode,)
        return 0

    @torch.jit.export
    def set_pair(self, number: int, amount: float) -> int:
        if number % 2 != 0:
            return -1
        self.pair = (number, amount)
        return 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        frames = 0.0
        sample = self.sample[0]
        if sample.has_value:
            frames = float(sample.shape()[-1])
        values = [float(self.flag[0]), float(self.count[0]), self.level[0],
                  float(self.table[0].sum().item()) + frames]
        out = torch.ones(x.shape[0], 4, x.shape[2])
        return out * torch.tensor(values).reshape(1, 4, 1)


class Multi(nn_tilde.Module):
    def __init__(self) -> None:
        super().__init__()
        self.register_method("forward", 3, 1, 2, 1, input_labels=["left", "right", "side"],
                             output_labels=["sum", "double"])
        self.register_method("swap", 2, 1, 2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([x[:, 0] + x[:, 1], 2.0 * x[:, 2]], dim=1)

    @torch.jit.export
    def swap(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([x[:, 1], x[:, 0]], dim=1)


RATIOS = [2 ** k for k in range(12)]


class Ratios(nn_tilde.Module):
    def __init__(self) -> None:
        super().__init__()
        for ratio in RATIOS:
            self.register_method(f"identity_{ratio}", 1, ratio, 1, ratio)
        self.register_method("encode", 1, 1, 1, 64)
        self.register_method("decode", 1, 64, 1, 1)

    @torch.jit.export
    def identity(self, x: torch.Tensor) -> torch.Tensor:
        return x

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], x.shape[1], -1, 64).mean(-1)

    @torch.jit.export
    def decode(self, x: torch.Tensor) -> torch.Tensor:
        return x.repeat_interleave(64, dim=-1)


# Every identity_R is the same scripted function under another name.
for _ratio in RATIOS:
    setattr(Ratios, f"identity_{_ratio}", Ratios.identity)


class Stateful(nn_tilde.Module):
    """Causal FIR whose cache makes consecutive calls one continuous signal."""

    def __init__(self) -> None:
        super().__init__()
        kernel = torch.tensor([0.5, 0.25, 0.125, -0.25, 0.1])
        # conv1d correlates, so the kernel is stored reversed: y[t] = sum_k h[k] x[t - k].
        self.register_buffer("weight", kernel.flip(0).reshape(1, 1, 5))
        self.register_buffer("cache", torch.zeros(1, 1, 4))
        self.register_method("forward", 1, 1, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.cache.shape[0] != x.shape[0]:
            self.cache = torch.zeros(x.shape[0], 1, 4)
        padded = torch.cat([self.cache, x], dim=-1)
        self.cache = padded[..., -4:].clone()
        return F.conv1d(padded, self.weight)


class Rate44k(nn_tilde.Module):
    """Declares 44100 Hz; an echo of exactly 441 samples (10 ms at its rate) shows the rate
    it runs at. The cache makes consecutive calls one continuous signal."""

    def __init__(self) -> None:
        super().__init__(sr=44100)
        self.register_buffer("cache", torch.zeros(1, 1, 441))
        self.register_method("forward", 1, 1, 1, 1)
        self.register_method("encode", 1, 1, 1, 64)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.cache.shape[0] != x.shape[0]:
            self.cache = torch.zeros(x.shape[0], 1, 441)
        padded = torch.cat([self.cache, x], dim=-1)
        self.cache = padded[..., -441:].clone()
        return x + 0.5 * padded[..., :x.shape[-1]]

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], x.shape[1], -1, 64).mean(-1)


class Slow(nn_tilde.Module):
    def __init__(self) -> None:
        super().__init__()
        self.register_attribute("work", 200)
        self.register_buffer("matrix", torch.eye(128))
        self.register_method("forward", 1, 1, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        acc = self.matrix
        for _ in range(self.work[0]):
            acc = torch.mm(acc, self.matrix)
        # Ties the busy work to the result so that no optimiser removes it; acc stays finite.
        return x + 0.0 * acc[0, 0]


class Throws(nn_tilde.Module):
    def __init__(self) -> None:
        super().__init__()
        self.register_attribute("fail", False)
        self.register_attribute("explode", 0)
        self.register_method("forward", 1, 1, 1, 1)

    @torch.jit.export
    def set_explode(self, value: int) -> int:
        if value == value:
            raise RuntimeError("throws.ts: set_explode always raises")
        return 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.fail[0]:
            raise RuntimeError("throws.ts: forward raised because fail is set")
        return x


class BadOutputs(nn_tilde.Module):
    def __init__(self) -> None:
        super().__init__()
        for name in ["wrong_length", "wrong_dtype", "wrong_channels", "wrong_ndim"]:
            self.register_method(name, 1, 1, 1, 1, test_method=False)
        self.register_method("good", 1, 1, 1, 1)

    @torch.jit.export
    def wrong_length(self, x: torch.Tensor) -> torch.Tensor:
        return x[..., : x.shape[-1] // 2]

    @torch.jit.export
    def wrong_dtype(self, x: torch.Tensor) -> torch.Tensor:
        return x.to(torch.float64)

    @torch.jit.export
    def wrong_channels(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x, x], dim=1)

    @torch.jit.export
    def wrong_ndim(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], -1)

    @torch.jit.export
    def good(self, x: torch.Tensor) -> torch.Tensor:
        return x


class Batch(nn_tilde.Module):
    def __init__(self) -> None:
        super().__init__()
        self.register_method("forward", 2, 1, 2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b = torch.arange(x.shape[0], dtype=x.dtype).reshape(-1, 1, 1)
        c = torch.arange(x.shape[1], dtype=x.dtype).reshape(1, -1, 1)
        return x + 10.0 * b + 100.0 * c


RAVE_STRIDES = [4, 4, 4, 4, 8]
RAVE_WIDTHS = [32, 64, 128, 256, 256]
RAVE_LATENT = 16


class Rave(nn_tilde.Module):
    """RAVE-sized strided convolutional encoder/decoder (random fixed weights, no noise)."""

    def __init__(self) -> None:
        super().__init__()
        encoder: List[torch.nn.Module] = [torch.nn.Conv1d(1, RAVE_WIDTHS[0], 7, padding=3)]
        for i, stride in enumerate(RAVE_STRIDES):
            width_in = RAVE_WIDTHS[i]
            width_out = RAVE_WIDTHS[min(i + 1, len(RAVE_WIDTHS) - 1)]
            encoder += [torch.nn.LeakyReLU(0.2),
                        torch.nn.Conv1d(width_in, width_out, 2 * stride, stride=stride,
                                        padding=stride // 2)]
        encoder += [torch.nn.LeakyReLU(0.2),
                    torch.nn.Conv1d(RAVE_WIDTHS[-1], RAVE_LATENT, 3, padding=1)]
        self.encoder = torch.nn.Sequential(*encoder)

        decoder: List[torch.nn.Module] = [
            torch.nn.Conv1d(RAVE_LATENT, RAVE_WIDTHS[-1], 3, padding=1)]
        for i, stride in reversed(list(enumerate(RAVE_STRIDES))):
            width_in = RAVE_WIDTHS[min(i + 1, len(RAVE_WIDTHS) - 1)]
            decoder += [torch.nn.LeakyReLU(0.2),
                        torch.nn.ConvTranspose1d(width_in, RAVE_WIDTHS[i], 2 * stride,
                                                 stride=stride, padding=stride // 2)]
        decoder += [torch.nn.LeakyReLU(0.2),
                    torch.nn.Conv1d(RAVE_WIDTHS[0], 1, 7, padding=3), torch.nn.Tanh()]
        self.decoder = torch.nn.Sequential(*decoder)

        self.register_method("encode", 1, 1, RAVE_LATENT, 2048)
        self.register_method("decode", RAVE_LATENT, 2048, 1, 1)
        self.register_method("forward", 1, 1, 1, 1)

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


# Models that are not nn~ models at all, for the loader's error paths.
class NotNn(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


class NoParams(torch.nn.Module):
    @torch.jit.export
    def get_methods(self) -> List[str]:
        return ["forward"]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


TEST_MODELS = [("gain", Gain), ("attrs", Attrs), ("multi", Multi), ("ratios", Ratios),
               ("stateful", Stateful), ("rave", Rave), ("slow", Slow), ("throws", Throws),
               ("bad_outputs", BadOutputs), ("batch", Batch), ("rate44k", Rate44k)]

# Methods whose output is wrong on purpose or that raise: no golden output.
NO_GOLDEN = {("bad_outputs", "wrong_length"), ("bad_outputs", "wrong_dtype"),
             ("bad_outputs", "wrong_channels"), ("bad_outputs", "wrong_ndim")}
BATCH_OF = {"batch": 2, "fixture_demo_mc": 2}
STREAMS = [("gain", "forward"), ("stateful", "forward"), ("ratios", "encode")]
EXAMPLES = ["effects", "features", "hpss"]


# ---- metadata and golden data --------------------------------------------------------------

def test_signal(batch: int, channels: int, frames: int, seed: int) -> torch.Tensor:
    """A seeded mix of two sines and uniform noise per (batch, channel), |x| < 0.9."""
    generator = torch.Generator().manual_seed(seed)
    n = torch.arange(frames, dtype=torch.float64)
    rows = []
    for i in range(batch * channels):
        f1 = 110.0 * (1 + i) + 20.0 * float(torch.rand(1, generator=generator))
        f2 = 1500.0 + 700.0 * float(torch.rand(1, generator=generator))
        phase = 2 * math.pi * float(torch.rand(1, generator=generator))
        noise = (torch.rand(frames, generator=generator, dtype=torch.float64) * 2 - 1) * 0.1
        rows.append(0.5 * torch.sin(2 * math.pi * f1 * n / 48000 + phase)
                    + 0.25 * torch.sin(2 * math.pi * f2 * n / 48000) + noise)
    return torch.stack(rows).reshape(batch, channels, frames).to(torch.float32)


def method_list(model: torch.jit.ScriptModule) -> List[str]:
    if hasattr(model, "get_methods"):
        return list(model.get_methods())
    return [m for m in model._c._method_names() if hasattr(model, m + "_params")]


def method_params(model: torch.jit.ScriptModule, method: str) -> List[int]:
    return [int(v) for v in getattr(model, method + "_params").tolist()]


def json_value(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return "Tensor(dim: " + ", ".join(str(d) for d in value.shape) + ")"
    return value


def metadata(path: str) -> Dict[str, Any]:
    """What torch reports for a model file, in the layout of docs/test-models.md."""
    model = torch.jit.load(path)
    methods = []
    for name in method_list(model):
        methods.append({"name": name, "params": method_params(model, name),
                        "input_labels": list(getattr(model, name + "_input_labels", [])),
                        "output_labels": list(getattr(model, name + "_output_labels", []))})
    attributes = []
    names = list(model.get_attributes()) if hasattr(model, "get_attributes") else []
    for name in [n for n in names if n != "none"]:
        types = [int(v) for v in getattr(model, name + "_params").tolist()]
        values = getattr(model, "get_" + name)()
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        attributes.append({"name": name, "types": types,
                           "values": [json_value(v) for v in values]})
    buffers = (list(model.get_buffer_attributes())
               if hasattr(model, "get_buffer_attributes") else [])
    return {"file": os.path.abspath(path), "methods": methods, "attributes": attributes,
            "buffer_attributes": buffers,
            "has_set_sample_rate": hasattr(model, "set_sample_rate")}


def write_f32(path: str, tensor: torch.Tensor) -> None:
    with open(path, "wb") as handle:
        handle.write(tensor.detach().to(torch.float32).contiguous().numpy().astype("<f4")
                     .tobytes())


def golden(out_dir: str, ident: str, path: str, method: str, batch: int, frames: int,
           kind: str, seed: int) -> Dict[str, Any]:
    """Runs one call of `method` on a fresh load, at audio rate as the contract defines."""
    model = torch.jit.load(path)
    in_ch, in_ratio, out_ch, out_ratio = method_params(model, method)
    x = test_signal(batch, in_ch, frames, seed)
    with torch.no_grad():
        y = getattr(model, method)(x[..., in_ratio - 1::in_ratio].contiguous())
    y = y.repeat_interleave(out_ratio, dim=-1)
    if list(y.shape) != [batch, out_ch, frames] or y.dtype != torch.float32:
        raise RuntimeError(f"golden {ident}: {path} {method} returned {list(y.shape)} "
                           f"{y.dtype}, expected {[batch, out_ch, frames]} float32")
    write_f32(os.path.join(out_dir, ident + ".in.f32"), x)
    write_f32(os.path.join(out_dir, ident + ".out.f32"), y)
    return {"id": ident, "model": os.path.abspath(path), "method": method, "batch": batch,
            "frames": frames, "in_channels": in_ch, "out_channels": out_ch,
            "input": ident + ".in.f32", "output": ident + ".out.f32", "kind": kind}


# ---- writing -------------------------------------------------------------------------------

def export(model_class: Any, path: str) -> None:
    torch.manual_seed(SEED)
    model_class().export_to_ts(path)


def load_example(name: str) -> Any:
    """Imports python/examples/<name>.py (examples are scripts, not a package)."""
    module_name = f"nn_examples_{name}"
    spec = importlib.util.spec_from_file_location(module_name,
                                                  os.path.join(EXAMPLES_DIR, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def write_bad_files(out: str) -> None:
    bad = os.path.join(out, "bad")
    os.makedirs(bad, exist_ok=True)
    open(os.path.join(bad, "empty.ts"), "wb").close()
    generator = torch.Generator().manual_seed(SEED)
    noise = torch.randint(0, 256, (4096,), generator=generator, dtype=torch.uint8)
    with open(os.path.join(bad, "random.ts"), "wb") as handle:
        handle.write(bytes(noise.tolist()))
    with open(os.path.join(out, "gain.ts"), "rb") as handle:
        data = handle.read()
    with open(os.path.join(bad, "truncated.ts"), "wb") as handle:
        handle.write(data[: len(data) // 2])
    torch.jit.script(NotNn()).save(os.path.join(bad, "not_nn.ts"))
    torch.jit.script(NoParams()).save(os.path.join(bad, "no_params.ts"))
    directory = os.path.join(bad, "a_directory.ts")
    if os.path.isfile(directory):
        os.remove(directory)
    os.makedirs(directory, exist_ok=True)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="output folder (<build>/models)")
    parser.add_argument("--fixtures", default=None, help="folder of IRCAM's fixture models (optional)")
    args = parser.parse_args(argv)
    started = time.time()
    torch.set_num_threads(1)
    out = os.path.abspath(args.out)
    for sub in ("meta", "golden", "examples"):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
        os.makedirs(os.path.join(out, sub))

    # (file, meta name, golden id prefix)
    files: List[Tuple[str, str]] = []
    for name, model_class in TEST_MODELS:
        path = os.path.join(out, name + ".ts")
        export(model_class, path)
        files.append((path, name))
    for name in EXAMPLES:
        path = os.path.join(out, "examples", f"nn_{name}.ts")
        torch.manual_seed(SEED)
        load_example(name).export(path)
        files.append((path, f"nn_{name}"))
    write_bad_files(out)
    if args.fixtures:
        for name in ("effects", "demo_attributes", "demo_mc"):
            path = os.path.join(os.path.abspath(args.fixtures), name + ".ts")
            if not os.path.isfile(path):
                raise SystemExit(f"generate_models: fixture {path} is missing")
            files.append((path, "fixture_" + name))

    golden_dir = os.path.join(out, "golden")
    manifest = []
    for index, (path, name) in enumerate(files):
        meta = metadata(path)
        with open(os.path.join(out, "meta", name + ".json"), "w") as handle:
            json.dump(meta, handle, indent=2)
            handle.write("\n")
        for number, method in enumerate(m["name"] for m in meta["methods"]):
            if (name, method) in NO_GOLDEN:
                continue
            seed = SEED + 100 * index + number
            manifest.append(golden(golden_dir, f"{name}.{method}", path, method,
                                   BATCH_OF.get(name, 1), BLOCK_FRAMES, "block", seed))
            if (name, method) in STREAMS:
                manifest.append(golden(golden_dir, f"{name}.{method}.stream", path, method,
                                       1, STREAM_FRAMES, "stream", seed))
    with open(os.path.join(golden_dir, "manifest.json"), "w") as handle:
        json.dump(manifest, handle, indent=1)
        handle.write("\n")
    print(f"generate_models: {len(files)} models, {len(manifest)} golden outputs in {out} "
          f"({time.time() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

# SPDX-License-Identifier: MIT
"""Tests of the generated test models, metadata and golden data (docs/test-models.md).

The files are loaded with torch.jit.load, as libtorch loads them in the C backend, and checked
against the contract and against the behaviour the C tests expect from each model.
"""
import filecmp
import json
import os

import pytest
import torch

from conftest import run_generator

GENERATED = ["gain", "attrs", "multi", "ratios", "stateful", "rave", "slow", "throws",
             "bad_outputs", "batch"]
EXAMPLES = ["nn_effects", "nn_features", "nn_hpss"]
FIXTURES = ["fixture_effects", "fixture_demo_attributes", "fixture_demo_mc"]
NO_GOLDEN = {"bad_outputs.wrong_length", "bad_outputs.wrong_dtype",
             "bad_outputs.wrong_channels", "bad_outputs.wrong_ndim"}


def load(model_path, name: str) -> torch.jit.ScriptModule:
    return torch.jit.load(model_path(name))


def read_meta(models_dir: str, name: str) -> dict:
    path = os.path.join(models_dir, "meta", name + ".json")
    if not os.path.isfile(path):
        pytest.fail(f"metadata {path} is missing: build the `models` target")
    with open(path) as handle:
        return json.load(handle)


def read_f32(path: str, shape) -> torch.Tensor:
    with open(path, "rb") as handle:
        data = bytearray(handle.read())
    return torch.frombuffer(data, dtype=torch.float32).reshape(shape)


@pytest.fixture(scope="module")
def manifest(models_dir):
    path = os.path.join(models_dir, "golden", "manifest.json")
    if not os.path.isfile(path):
        pytest.fail(f"golden manifest {path} is missing: build the `models` target")
    with open(path) as handle:
        return {entry["id"]: entry for entry in json.load(handle)}


@pytest.mark.parametrize("name", GENERATED + EXAMPLES + FIXTURES)
def test_metadata_matches_the_file(models_dir, name):
    meta = read_meta(models_dir, name)
    model = torch.jit.load(meta["file"])
    assert [m["name"] for m in meta["methods"]] == list(model.get_methods())
    for method in meta["methods"]:
        params = getattr(model, method["name"] + "_params")
        assert params.tolist() == method["params"] and params.numel() == 4
        assert len(method["input_labels"]) == method["params"][0]
        assert len(method["output_labels"]) == method["params"][2]
        assert hasattr(model, method["name"])
    names = [a for a in model.get_attributes() if a != "none"]
    assert [a["name"] for a in meta["attributes"]] == names
    for attribute in meta["attributes"]:
        codes = getattr(model, attribute["name"] + "_params").tolist()
        assert [int(c) for c in codes] == attribute["types"]
        assert len(attribute["values"]) == len(attribute["types"])
        assert hasattr(model, "get_" + attribute["name"])
        assert hasattr(model, "set_" + attribute["name"])
    assert meta["buffer_attributes"] == list(model.get_buffer_attributes())
    assert meta["has_set_sample_rate"] == hasattr(model, "set_sample_rate")


@pytest.mark.parametrize("name", GENERATED + EXAMPLES)
def test_our_files_follow_the_contract(models_dir, name):
    meta = read_meta(models_dir, name)
    model = torch.jit.load(meta["file"])
    assert meta["has_set_sample_rate"]
    assert model.get_sample_rate() in (-1, 44100)
    assert model.set_sample_rate(48000) is None and model.get_sample_rate() == 48000
    for method in meta["methods"]:
        assert getattr(model, method["name"] + "_params").dtype == torch.int64
    for attribute in meta["attributes"]:
        assert getattr(model, attribute["name"] + "_params").dtype == torch.int64
        values = getattr(model, "get_" + attribute["name"])()
        assert isinstance(values, tuple) and len(values) == len(attribute["types"])


def test_metadata_values(models_dir):
    attrs = {a["name"]: a for a in read_meta(models_dir, "attrs")["attributes"]}
    assert attrs["flag"] == {"name": "flag", "types": [0], "values": [False]}
    assert attrs["count"]["values"] == [0] and attrs["level"]["values"] == [0.0]
    assert attrs["mode"]["values"] == ["a"]
    assert attrs["table"]["values"] == ["Tensor(dim: 8)"]
    assert attrs["sample"] == {"name": "sample", "types": [5], "values": ["Buffer(empty)"]}
    assert attrs["pair"] == {"name": "pair", "types": [1, 2], "values": [2, 0.5]}
    assert read_meta(models_dir, "attrs")["buffer_attributes"] == ["sample#0"]
    multi = read_meta(models_dir, "multi")["methods"]
    assert multi[0]["input_labels"] == ["left", "right", "side"]
    assert multi[0]["output_labels"] == ["sum", "double"]
    effects = {a["name"]: a for a in read_meta(models_dir, "fixture_effects")["attributes"]}
    assert effects["gain_factor"]["values"] == [1.0]
    assert effects["polynomial_factors"]["values"] == [1.0, 0.0, 0.0, 0.0]


def test_declared_methods(model_path):
    ratios = load(model_path, "ratios.ts")
    expected = [f"identity_{2 ** k}" for k in range(12)] + ["encode", "decode"]
    assert ratios.get_methods() == expected
    for k in range(12):
        r = 2 ** k
        assert getattr(ratios, f"identity_{r}_params").tolist() == [1, r, 1, r]
    assert ratios.encode_params.tolist() == [1, 1, 1, 64]
    assert ratios.decode_params.tolist() == [1, 64, 1, 1]
    rave = load(model_path, "rave.ts")
    assert rave.get_methods() == ["encode", "decode", "forward"]
    assert rave.encode_params.tolist() == [1, 1, 16, 2048]
    assert rave.decode_params.tolist() == [16, 2048, 1, 1]
    assert rave.forward_params.tolist() == [1, 1, 1, 1]
    assert load(model_path, "batch.ts").forward_params.tolist() == [2, 1, 2, 1]
    multi = load(model_path, "multi.ts")
    assert multi.forward_params.tolist() == [3, 1, 2, 1]
    assert multi.swap_params.tolist() == [2, 1, 2, 1]


def test_gain(model_path):
    gain = load(model_path, "gain.ts")
    x = torch.rand(1, 1, 64)
    assert torch.equal(gain(x), x)
    assert gain.set_gain(0.5) == 0 and gain.get_gain() == (0.5,)
    assert torch.equal(gain(x), x * 0.5)


def test_attrs_round_trip(model_path):
    attrs = load(model_path, "attrs.ts")
    x = torch.zeros(1, 1, 8)
    assert attrs(x)[0, :, 0].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert attrs.set_flag(True) == 0 and attrs.get_flag() == (True,)
    assert attrs.set_count(7) == 0 and attrs.get_count() == (7,)
    assert attrs.set_level(-0.25) == 0 and attrs.get_level() == (-0.25,)
    assert attrs.set_mode("z") == -1 and attrs.get_mode() == ("a",)
    assert attrs.set_mode("c") == 0 and attrs.get_mode() == ("c",)
    assert attrs.set_table(torch.full((8,), 0.5)) == 0
    assert attrs.set_pair(3, 1.0) == -1 and attrs.get_pair() == (2, 0.5)
    assert attrs.set_pair(4, 1.5) == 0 and attrs.get_pair() == (4, 1.5)
    assert attrs(x)[0, :, 0].tolist() == [1.0, 7.0, -0.25, 4.0]
    assert attrs.set_buffer_attribute("sample#0", torch.ones(1, 15), 48000) == -1
    assert attrs.set_buffer_attribute("sample#0", torch.ones(1, 4097), 48000) == -1
    assert attrs.is_buffer_empty("sample#0")
    assert attrs.set_buffer_attribute("sample#0", torch.ones(2, 100), 48000) == 0
    assert attrs.set_sample("sample#0") == 0
    assert not attrs.is_buffer_empty("sample#0")
    assert "shape=[2, 100]" in attrs.get_sample()[0]
    assert attrs(x)[0, 3, 0].item() == 104.0
    assert attrs.clear_buffer_attribute("sample#0") is None
    assert attrs(x)[0, 3, 0].item() == 4.0


def test_multi(model_path):
    multi = load(model_path, "multi.ts")
    x = torch.rand(2, 3, 16)
    y = multi(x)
    assert torch.equal(y[:, 0], x[:, 0] + x[:, 1]) and torch.equal(y[:, 1], 2 * x[:, 2])
    s = multi.swap(x[:, :2])
    assert torch.equal(s[:, 0], x[:, 1]) and torch.equal(s[:, 1], x[:, 0])


def test_ratios(model_path):
    ratios = load(model_path, "ratios.ts")
    x = torch.rand(1, 1, 128)
    assert torch.equal(ratios.identity_64(x[..., :2]), x[..., :2])
    z = ratios.encode(x)
    assert z.shape == (1, 1, 2) and torch.allclose(z[0, 0, 1], x[0, 0, 64:].mean())
    assert torch.equal(ratios.decode(z), z.repeat_interleave(64, -1))


def test_stateful_streams(model_path):
    whole = load(model_path, "stateful.ts")
    x = torch.rand(1, 1, 4096) - 0.5
    y = whole(x)
    kernel = [0.5, 0.25, 0.125, -0.25, 0.1]
    t = 100
    expected = sum(kernel[k] * x[0, 0, t - k].item() for k in range(5))
    assert abs(y[0, 0, t].item() - expected) < 1e-6
    blocks = load(model_path, "stateful.ts")
    pieces = torch.cat([blocks(b) for b in x.split(256, -1)], -1)
    assert torch.allclose(pieces, y, atol=1e-6)
    batched = blocks(torch.stack([x[0], x[0], x[0]]))
    assert batched.shape == (3, 1, 4096)
    assert torch.allclose(batched[2], y[0], atol=1e-6), "cache must reset on a batch change"


def test_rave_is_rave_sized_and_deterministic(model_path):
    rave = load(model_path, "rave.ts")
    count = sum(p.numel() for p in rave.parameters())
    assert 1_000_000 < count < 10_000_000
    x = torch.sin(torch.arange(4096.0) / 10).reshape(1, 1, -1) * 0.5
    with torch.no_grad():
        z = rave.encode(x)
        assert z.shape == (1, 16, 2)
        y = rave.decode(z)
        assert y.shape == (1, 1, 4096) and torch.isfinite(y).all() and y.abs().max() > 0
        assert torch.equal(rave.decode(rave.encode(x)), y)
        assert torch.equal(rave.forward(x), y)


def test_slow_work_attribute(model_path):
    slow = load(model_path, "slow.ts")
    assert slow.get_work() == (200,)
    x = torch.rand(1, 1, 32)
    assert torch.equal(slow(x), x)
    assert slow.set_work(0) == 0 and torch.equal(slow(x), x)


def test_throws(model_path):
    throws = load(model_path, "throws.ts")
    x = torch.rand(1, 1, 16)
    assert torch.equal(throws(x), x)
    assert throws.set_fail(True) == 0
    with pytest.raises(Exception, match="fail is set"):
        throws(x)
    with pytest.raises(Exception, match="set_explode always raises"):
        throws.set_explode(1)
    assert throws.get_explode() == (0,)


def test_bad_outputs(model_path):
    bad = load(model_path, "bad_outputs.ts")
    x = torch.rand(1, 1, 64)
    assert bad.wrong_length(x).shape == (1, 1, 32)
    assert bad.wrong_dtype(x).dtype == torch.float64
    assert bad.wrong_channels(x).shape == (1, 2, 64)
    assert bad.wrong_ndim(x).dim() == 2
    assert torch.equal(bad.good(x), x)


def test_batch_layout(model_path):
    batch = load(model_path, "batch.ts")
    x = torch.zeros(3, 2, 4)
    y = batch(x)
    for b in range(3):
        for c in range(2):
            assert (y[b, c] == 10 * b + 100 * c).all()


def test_bad_files(models_dir, model_path):
    assert os.path.getsize(model_path("bad/empty.ts")) == 0
    assert os.path.getsize(model_path("bad/random.ts")) == 4096
    with open(model_path("gain.ts"), "rb") as handle:
        gain = handle.read()
    with open(model_path("bad/truncated.ts"), "rb") as handle:
        assert handle.read() == gain[: len(gain) // 2]
    assert os.path.isdir(model_path("bad/a_directory.ts"))
    for name in ("empty", "random", "truncated"):
        with pytest.raises(Exception):
            torch.jit.load(model_path(f"bad/{name}.ts"))
    not_nn = torch.jit.load(model_path("bad/not_nn.ts"))
    assert not hasattr(not_nn, "get_methods") and not hasattr(not_nn, "forward_params")
    no_params = torch.jit.load(model_path("bad/no_params.ts"))
    assert no_params.get_methods() == ["forward"] and not hasattr(no_params, "forward_params")


def test_every_deterministic_method_has_a_golden(models_dir, manifest):
    for name in GENERATED + EXAMPLES + FIXTURES:
        for method in read_meta(models_dir, name)["methods"]:
            ident = f"{name}.{method['name']}"
            if ident not in NO_GOLDEN:
                assert ident in manifest, f"no golden output for {ident}"
    for ident in ("gain.forward.stream", "stateful.forward.stream", "ratios.encode.stream"):
        assert manifest[ident]["kind"] == "stream" and manifest[ident]["frames"] == 32768
    assert manifest["batch.forward"]["batch"] == 2
    assert all(manifest[f"fixture_demo_mc.{m}"]["batch"] == 2
               for m in ("identity", "batch", "channel"))


def test_goldens_reproduce(models_dir, manifest):
    for ident, entry in manifest.items():
        batch, frames = entry["batch"], entry["frames"]
        x = read_f32(os.path.join(models_dir, "golden", entry["input"]),
                     (batch, entry["in_channels"], frames))
        expected = read_f32(os.path.join(models_dir, "golden", entry["output"]),
                            (batch, entry["out_channels"], frames))
        assert x.abs().max() < 1.0 and x.abs().max() > 0.1, ident
        model = torch.jit.load(entry["model"])
        in_ch, in_ratio, out_ch, out_ratio = getattr(model, entry["method"] + "_params").tolist()
        assert (in_ch, out_ch) == (entry["in_channels"], entry["out_channels"]), ident
        with torch.no_grad():
            y = getattr(model, entry["method"])(x[..., in_ratio - 1::in_ratio].contiguous())
        y = y.repeat_interleave(out_ratio, -1)
        assert torch.allclose(y, expected, atol=1e-5), ident


def test_golden_semantics(models_dir, manifest):
    def pair(ident):
        entry = manifest[ident]
        shape_in = (entry["batch"], entry["in_channels"], entry["frames"])
        shape_out = (entry["batch"], entry["out_channels"], entry["frames"])
        directory = os.path.join(models_dir, "golden")
        return (read_f32(os.path.join(directory, entry["input"]), shape_in),
                read_f32(os.path.join(directory, entry["output"]), shape_out))

    x, y = pair("gain.forward")
    assert torch.equal(x, y)
    x, y = pair("ratios.identity_512")
    assert torch.equal(y[0, 0, :512], x[0, 0, 511].repeat(512))
    x, y = pair("batch.forward")
    assert torch.allclose(y[1, 1], x[1, 1] + 110)
    x, y = pair("fixture_demo_mc.channel")
    assert (y[1, 2] == 2).all() and (y[0, 0] == 0).all()


def test_generation_is_reproducible(models_dir, tmp_path):
    fresh = str(tmp_path / "again")
    run_generator(fresh)
    for root, _, files in os.walk(models_dir):
        for name in files:
            path = os.path.join(root, name)
            relative = os.path.relpath(path, models_dir)
            if relative.startswith("meta") or name in ("manifest.json", ".stamp"):
                continue
            assert filecmp.cmp(path, os.path.join(fresh, relative), shallow=False), relative

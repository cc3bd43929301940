# SPDX-License-Identifier: MIT
"""A RAVE-style export script (data/rave_style_export.py: variational encoder/decoder with
cached streaming convolutions, methods that read their own params, attributes, sample rate,
batch self-tests) runs unchanged against our package, and the file it writes plays the same
in Python torch, the C library (`nntilde info`), `nntilde run` and a real headless Pd.

The model samples noise like RAVE (encode: mean + std * noise, decode: noise for the cropped
latent dimensions), scaled by its `temperature` attribute. Outputs are compared at
temperature 0, the deterministic mean path: the hosts set it (`--set temperature=0`,
`[set temperature 0(`), and Python torch runs a copy of the file saved after
set_temperature(0.0).

The streaming caches saved in the file hold what the export's self-tests left there, noise
included (they ran at temperature 1), and the hosts warm a model up on silence before its
first block at a temperature that depends on when `set` arrives. So every input starts with
one block of silence, longer than the model's memory (its receptive field is about 400
samples): after it, every run is in the same state, and outputs are compared from there on.

Needs $NNTILDE (the built CLI) and the Pd externals, set by tests/python/CMakeLists.txt.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from conftest import PYTHON_DIR, SOURCE

sys.path.insert(0, os.path.join(SOURCE, "tests", "pd"))
sys.path.insert(0, os.path.join(SOURCE, "tests", "cli"))
import pdtest  # noqa: E402  (Pd command line, WAV files, torch block renders)
import wavfile  # noqa: E402  (multichannel float WAV files)

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "rave_style_export.py")
BLOCK = 4096
FRAMES = 4 * BLOCK
ATOL = 1e-6  # measured: 0.0 (bit-exact) after the silent block


def signal(frames, channels=1):
    """[channels, frames]: a block of silence (see the module docstring), then sines and noise."""
    x = pdtest.test_signal(frames, channels=channels)
    x[:, :BLOCK] = 0.0
    return x


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Runs the export script as a user would; returns (file, file at temperature 0)."""
    out = tmp_path_factory.mktemp("rave_style")
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
    result = subprocess.run([sys.executable, SCRIPT, "--output", str(out), "--streaming"],
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"the export script failed:\n{result.stderr}"
    assert "all good" in result.stderr, result.stderr
    path = str(out / "rave_style_streaming.ts")
    mean = torch.jit.load(path)
    assert mean.set_temperature(0.0) == 0
    mean_path = str(out / "rave_style_mean.ts")
    mean.save(mean_path)
    return path, mean_path


@pytest.fixture(scope="module")
def nntilde():
    path = os.environ.get("NNTILDE")
    if not path or not os.access(path, os.X_OK):
        pytest.fail(f"$NNTILDE={path!r} is not the built nntilde: run through ctest")
    return path


def run_cli(nntilde, *args, tmp_path):
    env = dict(os.environ, NN_TILDE_MODELS_DIR=str(tmp_path / "user_models"),
               NN_TILDE_API_URL="http://127.0.0.1:9/", OPENBLAS_NUM_THREADS="1")
    result = subprocess.run([nntilde, *map(str, args)], capture_output=True, text=True,
                            env=env, timeout=600)
    assert result.returncode == 0, f"nntilde {' '.join(map(str, args))}:\n{result.stderr}"
    return result


def test_export_without_streaming(tmp_path):
    """RAVE's default: plain zero-padded convolutions, no caches to keep."""
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
    result = subprocess.run([sys.executable, SCRIPT, "--output", str(tmp_path), "--sr", "44100"],
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"the export script failed:\n{result.stderr}"
    model = torch.jit.load(str(tmp_path / "rave_style.ts"))
    assert model.get_methods() == ["encode", "decode", "forward"]
    assert model.get_sample_rate() == 44100
    assert model.set_temperature(0.0) == 0
    x = torch.from_numpy(signal(2 * BLOCK))[None]
    first, again = model.forward(x), model.forward(x)
    assert first.shape == (1, 1, 2 * BLOCK) and torch.equal(first, again), "a stateless model"


def test_file_follows_the_contract_in_python(exported):
    path, _ = exported
    model = torch.jit.load(path)
    assert model.get_methods() == ["encode", "decode", "forward"]
    assert model.encode_params.tolist() == [1, 1, 4, 64]
    assert model.decode_params.tolist() == [4, 64, 1, 1]
    assert model.forward_params.tolist() == [1, 1, 1, 1]
    assert model.encode_output_labels == [f"(signal) Latent dimension {i}" for i in (1, 2, 3, 4)]
    assert model.get_attributes() == ["learn_target", "reset_target", "temperature"]
    assert model.get_learn_target() is False  # hand-written getter, bare value
    assert model.set_learn_target(True) == 0 and model.get_learn_target() is True
    assert model.get_temperature() == (1.0,)  # generated getter
    assert model.get_sample_rate() == 48000
    # The second self-test ran with 4 examples: it left its trace in rows 1..3 of the caches
    # (the warm-up and the first self-test use row 0 only; MAX_BATCH_SIZE is 8).
    pad = getattr(model.encoder.net, "2").cache.pad
    assert pad.shape[0] == 8
    assert pad[1:4].abs().sum() > 0 and pad[4:].abs().sum() == 0
    overlap = getattr(model.decoder.net, "2").overlap
    assert overlap[1:4].abs().sum() > 0 and overlap[4:].abs().sum() == 0


def test_streaming_and_sampling_in_python(exported):
    path, mean_path = exported
    x = torch.from_numpy(signal(FRAMES))[None]
    # Temperature 0: blocks of a stream give what the whole signal in one call gives.
    whole = torch.jit.load(mean_path).forward(x)
    streamed = torch.jit.load(mean_path)
    blocks = torch.cat([streamed.forward(b) for b in x.split(BLOCK, -1)], -1)
    assert whole.shape == (1, 1, FRAMES) and whole.abs().max() > 1e-2
    assert (blocks - whole).abs().max() <= ATOL
    assert torch.equal(torch.jit.load(mean_path).forward(x), whole), "not deterministic"
    # Temperature 1 (the default): the latent is sampled, as RAVE's.
    first = torch.jit.load(path).forward(x)
    second = torch.jit.load(path).forward(x)
    assert (first - second).abs().max() > 1e-3
    # Several examples at once (what mc.nn~ sends) work in the exported file; after the
    # silent block every example is in the state of the first.
    batched = torch.jit.load(mean_path)
    y = torch.cat([batched.forward(b) for b in x.repeat(3, 1, 1).split(BLOCK, -1)], -1)
    assert y.shape == (3, 1, FRAMES)
    assert (y[:, :, BLOCK:] - whole[:, :, BLOCK:]).abs().max() <= ATOL


def test_c_library_reads_the_file(exported, nntilde, tmp_path):
    path, _ = exported
    info = json.loads(run_cli(nntilde, "info", "--json", path, tmp_path=tmp_path).stdout)
    assert [m["name"] for m in info["methods"]] == ["encode", "decode", "forward"]
    assert [m["params"] for m in info["methods"]] == [[1, 1, 4, 64], [4, 64, 1, 1],
                                                      [1, 1, 1, 1]]
    assert info["methods"][1]["input_labels"][0] == "(signal) Latent dimension 1"
    assert [a["name"] for a in info["attributes"]] == ["learn_target", "reset_target",
                                                       "temperature"]
    assert [a["types"] for a in info["attributes"]] == [[0], [0], [2]]
    assert info["sample_rate"] == 48000 and info["has_set_sample_rate"] is True
    assert info["max_ratio"] == 64


@pytest.mark.parametrize("method,channels", [("forward", 1), ("encode", 4)])
def test_nntilde_run_matches_torch(exported, nntilde, tmp_path, method, channels):
    path, mean_path = exported
    x = signal(FRAMES + 1000)  # not a whole number of blocks
    src, dst = tmp_path / "in.wav", tmp_path / "out.wav"
    pdtest.write_wav(str(src), x[0])
    run_cli(nntilde, "run", path, "-m", method, "-b", BLOCK, "--set", "temperature=0",
            src, dst, tmp_path=tmp_path)
    y = pdtest.read_wav(str(dst))
    assert y.shape == (channels, x.shape[1])
    expected = pdtest.torch_blocks(mean_path, method, x, BLOCK)
    assert expected.shape == (channels, FRAMES) and expected[:, BLOCK:].std(axis=1).min() > 1e-2
    err = np.abs(y[:, BLOCK:FRAMES] - expected[:, BLOCK:]).max()
    assert err <= ATOL, f"nntilde run {method}: max difference with torch {err}"


def test_nntilde_run_batch_of_examples(exported, nntilde, tmp_path):
    """A stereo file with --batch-channels: one call with 2 examples per block (the path of
    mc.nn~), which the batch self-test let through; each example matches torch on its own."""
    path, mean_path = exported
    x = signal(FRAMES, channels=2)
    src, dst = tmp_path / "in.wav", tmp_path / "out.wav"
    wavfile.write(str(src), x.T, pdtest.SR)
    run_cli(nntilde, "run", path, "--batch-channels", "-b", BLOCK, "--set", "temperature=0",
            src, dst, tmp_path=tmp_path)
    y = pdtest.read_wav(str(dst))
    assert y.shape == (2, FRAMES)
    for example in range(2):
        expected = pdtest.torch_blocks(mean_path, "forward", x[example:example + 1], BLOCK)
        err = np.abs(y[example, BLOCK:] - expected[0, BLOCK:]).max()
        assert err <= ATOL, f"example {example}: max difference with torch {err}"
    assert np.abs(y[0, BLOCK:] - y[1, BLOCK:]).max() > 1e-3, "the two examples must differ"


def test_pd_renders_like_torch(exported, tmp_path):
    path, mean_path = exported
    x = signal(FRAMES)
    run, outs = pdtest.render(f"nn~ -offline {path} forward {BLOCK}", list(x), 1,
                              FRAMES + 2 * BLOCK, str(tmp_path), messages=["set temperature 0"])
    run.check_alive()
    assert run.errors == [], "\n".join(run.errors)
    info = run.info()
    latency = int(float(info["latency"][0]))
    assert latency == 2 * BLOCK - 64, info
    expected = pdtest.torch_blocks(mean_path, "forward", x, BLOCK)
    assert np.all(outs[0][:latency] == 0), "output before the latency is not silent"
    pdtest.assert_aligned(outs[0][latency + BLOCK:], expected[0][BLOCK:], 0, atol=ATOL,
                          what="rave_style forward after the silent block")

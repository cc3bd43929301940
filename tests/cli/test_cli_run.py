# SPDX-License-Identifier: MIT
"""`nntilde run` renders match Python torch on the same file.

Each case writes a float WAV, renders it through the CLI (stream engine,
offline mode, latency compensated) and runs the same model file in torch on
the whole signal at once; the two must agree within 1e-6 and have the same
length. Lengths are not multiples of the buffer size, so the zero flush at the
end is exercised too.
"""
import os

import numpy as np
import pytest
import torch

from conftest import make_signal, read_wav, write_wav

FRAMES = 10007
TOLERANCE = 1e-6


def torch_render(model_path, method, x, batch, sets=(), pad_to=1):
    """Run `method` on x [frames, batch*in_ch] as one call; returns [frames, batch*out_ch]."""
    model = torch.jit.load(model_path)
    model.eval()
    for name, args in sets:
        assert getattr(model, f"set_{name}")(*args) == 0
    params = getattr(model, f"{method}_params").tolist()
    in_ch, in_ratio, out_ch, out_ratio = (int(v) for v in params)
    frames = x.shape[0]
    padded = -(-frames // pad_to) * pad_to
    signal = np.zeros((padded, x.shape[1]), dtype=np.float32)
    signal[:frames] = x
    tensor = torch.from_numpy(signal.T.copy()).reshape(batch, in_ch, padded)
    # The contract's decimation: the last sample of each group of in_ratio.
    tensor = tensor[..., in_ratio - 1::in_ratio]
    with torch.no_grad():
        y = getattr(model, method)(tensor)
    y = torch.repeat_interleave(y, out_ratio, dim=-1)
    return y.reshape(batch * out_ch, -1).numpy().T[:frames]


CASES = [
    # id, model, method, file channels, batch, cli extra args, torch setters, pad
    ("gain", "gain.ts", "forward", 1, 1, ["--set", "gain=0.5"], [("gain", (0.5,))], 1),
    ("gain-stereo-batch", "gain.ts", "forward", 2, 2, ["--set", "gain=-2"], [("gain", (-2.0,))], 1),
    ("gain-bufsize-512", "gain.ts", "forward", 1, 1, ["--bufsize", "512"], [], 1),
    ("gain-bufsize-300", "gain.ts", "forward", 1, 1, ["--bufsize", "300"], [], 1),
    ("gain-synchronous", "gain.ts", "forward", 1, 1, ["--bufsize", "0"], [], 1),
    ("effects-invert", "FIX/effects.ts", "invert", 1, 1, ["-m", "invert"], [], 1),
    ("effects-invert-set", "FIX/effects.ts", "invert", 1, 1,
     ["-m", "invert", "--set", "invert_signal=true", "--set", "gain_factor=0.25"],
     [("invert_signal", (True,)), ("gain_factor", (0.25,))], 1),
    ("effects-midside", "FIX/effects.ts", "midside", 2, 1, ["-m", "midside"], [], 1),
    ("effects-polynomial", "FIX/effects.ts", "polynomial", 1, 1,
     ["-m", "polynomial", "--set", "polynomial_factors=0.5,0.25,-1,2"],
     [("polynomial_factors", (0.5, 0.25, -1.0, 2.0))], 1),
    ("multi-forward", "multi.ts", "forward", 3, 1, [], [], 1),
    ("multi-swap", "multi.ts", "swap", 2, 1, ["-m", "swap"], [], 1),
    ("multi-swap-batch", "multi.ts", "swap", 4, 2, ["-m", "swap"], [], 1),
    ("batch-layout", "batch.ts", "forward", 4, 2, [], [], 1),
    ("stateful", "stateful.ts", "forward", 1, 1, [], [], 1),
    ("stateful-bufsize-256", "stateful.ts", "forward", 1, 1, ["-b", "256"], [], 1),
    ("stateful-batch", "stateful.ts", "forward", 3, 3, [], [], 1),
    # Latent output (ratio 64) written as a held signal: B-aligned blocks.
    ("ratios-encode", "ratios.ts", "encode", 1, 1, ["-m", "encode"], [], 4096),
    ("ratios-identity-512", "ratios.ts", "identity_512", 1, 1, ["-m", "identity_512"], [], 4096),
]


@pytest.mark.parametrize("case", [pytest.param(c, marks=[pytest.mark.fixtures] if c[1].startswith("FIX/") else [])
                                  for c in CASES], ids=[c[0] for c in CASES])
def test_run_matches_torch(case, run, models, request, tmp_path):
    _, model, method, channels, batch, extra, sets, pad = case
    if model.startswith("FIX/"):
        model_path = os.path.join(request.getfixturevalue("fixtures"), model[4:])
    else:
        model_path = os.path.join(models, model)
    x = make_signal(FRAMES, channels)
    src = write_wav(tmp_path / "in.wav", x)
    dst = tmp_path / "out.wav"
    result = run("run", model_path, *extra, src, dst)
    assert result.returncode == 0, result.stderr
    y, rate, tag, bits = read_wav(dst)
    assert (rate, tag, bits) == (48000, 3, 32), "output format should follow the float WAV input"
    expected = torch_render(model_path, method, x, batch, sets, pad)
    assert y.shape == expected.shape, f"shape {y.shape}, torch {expected.shape}"
    err = np.abs(y - expected).max()
    assert err <= TOLERANCE, f"max difference with torch {err}"


def test_run_keep_latency(run, models, tmp_path):
    x = make_signal(FRAMES)
    src = write_wav(tmp_path / "in.wav", x)
    dst = tmp_path / "out.wav"
    result = run("run", os.path.join(models, "gain.ts"), "--keep-latency", "-b", "1024", src, dst)
    assert result.returncode == 0, result.stderr
    y = read_wav(dst)[0][:, 0]
    latency = len(y) - FRAMES
    # Offline renders hand the engine vectors of B samples: latency 2B - B.
    assert latency == 1024, f"latency {latency}"
    assert np.all(y[:latency] == 0.0)
    assert np.abs(y[latency:] - x[:, 0]).max() <= TOLERANCE


def test_run_frames(run, models, tmp_path):
    """--frames writes one value per latent frame at rate / ratio."""
    x = make_signal(FRAMES)
    src = write_wav(tmp_path / "in.wav", x)
    dst = tmp_path / "frames.wav"
    result = run("run", os.path.join(models, "ratios.ts"), "-m", "encode", "--frames", src, dst)
    assert result.returncode == 0, result.stderr
    y, rate, tag, _ = read_wav(dst)
    assert rate == 48000 // 64 and tag == 3
    held = torch_render(os.path.join(models, "ratios.ts"), "encode", x, 1, (), 4096)
    expected = held[::64]
    assert y.shape == expected.shape
    assert np.abs(y - expected).max() <= TOLERANCE
    # encode is the mean of each group of 64 samples
    full = -(-FRAMES // 64) * 64
    padded = np.zeros(full, dtype=np.float32)
    padded[:FRAMES] = x[:, 0]
    assert np.abs(y[:, 0] - padded.reshape(-1, 64).mean(1)).max() <= 1e-5


def test_run_tensor_and_buffer_attributes(run, models, tmp_path):
    """A sound file path sets tensor and buffer attributes (attrs.ts ch3 = table.sum() + frames)."""
    table = np.linspace(-0.5, 1.0, 8).astype(np.float32)
    write_wav(tmp_path / "table.wav", table)
    write_wav(tmp_path / "sample.wav", make_signal(100, 2), rate=44100)
    src = write_wav(tmp_path / "in.wav", make_signal(5000))
    dst = tmp_path / "out.wav"
    result = run("run", os.path.join(models, "attrs.ts"), "--set", f"table={tmp_path / 'table.wav'}",
                 "--set", f"sample={tmp_path / 'sample.wav'}", "--set", "flag=on", "--set", "count=7",
                 "--set", "level=0.125", "--set", "pair=4,1.5", src, dst)
    assert result.returncode == 0, result.stderr
    y = read_wav(dst)[0]
    assert y.shape == (5000, 4)
    np.testing.assert_allclose(y[:, 0], 1.0)
    np.testing.assert_allclose(y[:, 1], 7.0)
    np.testing.assert_allclose(y[:, 2], 0.125)
    np.testing.assert_allclose(y[:, 3], table.sum() + 100, rtol=1e-6)


def test_run_resamples_to_declared_rate(run, models, tmp_path):
    """nn_features.ts declares 44100 Hz: a 22050 Hz file is resampled to it and back."""
    rate, freq, frames = 22050, 1000.0, 22050
    t = np.arange(frames) / rate
    x = (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    src = write_wav(tmp_path / "in.wav", x, rate=rate)
    model = os.path.join(models, "examples", "nn_features.ts")
    frames_out = tmp_path / "centroid_frames.wav"
    result = run("run", model, "-m", "centroid", "--frames", src, frames_out)
    assert result.returncode == 0, result.stderr
    c, out_rate, _, _ = read_wav(frames_out)
    # One frame per 256 samples at 44100 Hz: the model ran at its own rate.
    assert out_rate == round(44100 / 256)
    assert abs(len(c) - frames * 2 / 256) <= 2
    # A 1 kHz tone must still be 1 kHz after resampling (centroid in Hz).
    steady = c[8:-8, 0]
    assert abs(np.median(steady) - freq) < 30.0, np.median(steady)
    held_out = tmp_path / "centroid.wav"
    result = run("run", model, "-m", "centroid", src, held_out)
    assert result.returncode == 0, result.stderr
    y, out_rate, _, _ = read_wav(held_out)
    assert out_rate == rate and y.shape == (frames, 1)
    assert abs(np.median(y[4096:-4096, 0]) - freq) < 30.0


def test_run_output_format(run, models, tmp_path):
    x = make_signal(3000, 2)
    src = write_wav(tmp_path / "in.wav", x)
    gain = os.path.join(models, "gain.ts")
    result = run("run", gain, "--format", "wav:pcm16", src, tmp_path / "out16.wav")
    assert result.returncode == 0, result.stderr
    y, _, tag, bits = read_wav(tmp_path / "out16.wav")
    assert (tag, bits) == (1, 16)
    assert np.abs(y - x).max() <= 1.0 / 32768 + 1e-6
    result = run("run", gain, src, tmp_path / "out.flac")
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "out.flac", "rb") as f:
        assert f.read(4) == b"fLaC"
    # FLAC in (24-bit, chosen for the float input), float WAV out by --format.
    result = run("run", gain, "--format", "wav:float", tmp_path / "out.flac", tmp_path / "back.bin")
    assert result.returncode == 0, result.stderr
    y, rate, tag, bits = read_wav(tmp_path / "back.bin")
    assert (rate, tag, bits) == (48000, 3, 32) and y.shape == x.shape
    assert np.abs(y - x).max() <= 1.0 / (1 << 23) + 1e-7


def test_run_batch_channels(run, fixtures, tmp_path):
    """--batch-channels: each file channel is one example on the method's first input."""
    x = make_signal(FRAMES, 2)
    src = write_wav(tmp_path / "in.wav", x)
    dst = tmp_path / "out.wav"
    model = os.path.join(fixtures, "effects.ts")
    result = run("run", model, "-m", "midside", "--batch-channels", src, dst)
    assert result.returncode == 0, result.stderr
    y = read_wav(dst)[0]
    # example b = [channel b, silence]
    examples = np.zeros((FRAMES, 4), dtype=np.float32)
    examples[:, 0], examples[:, 2] = x[:, 0], x[:, 1]
    expected = torch_render(model, "midside", examples, 2)
    assert y.shape == expected.shape == (FRAMES, 4)
    assert np.abs(y - expected).max() <= TOLERANCE


def test_run_missing_inputs_are_silent(run, fixtures, tmp_path):
    x = make_signal(FRAMES, 1)
    src = write_wav(tmp_path / "in.wav", x)
    dst = tmp_path / "out.wav"
    model = os.path.join(fixtures, "effects.ts")
    result = run("run", model, "-m", "midside", src, dst)
    assert result.returncode == 0, result.stderr
    assert "inputs 2 to 2 are silent" in result.stderr
    padded = np.concatenate([x, np.zeros_like(x)], axis=1)
    assert np.abs(read_wav(dst)[0] - torch_render(model, "midside", padded, 1)).max() <= TOLERANCE


def test_run_progress_bar_on_terminal(nntilde, models, tmp_path):
    """The bar is drawn only when stderr is a terminal."""
    import pty
    import subprocess
    src = write_wav(tmp_path / "in.wav", make_signal(48000))
    args = [nntilde, "run", os.path.join(models, "gain.ts"), src, tmp_path / "out.wav"]
    master, slave = pty.openpty()
    proc = subprocess.Popen(list(map(str, args)), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) == 0
    shown = b"".join(chunks).decode(errors="replace")
    assert "100%" in shown and "real time" in shown, shown
    piped = subprocess.run(list(map(str, args)), capture_output=True, text=True)
    assert piped.returncode == 0 and piped.stderr == ""


def test_bench_json(run, models):
    import json
    result = run("bench", os.path.join(models, "gain.ts"), "--seconds", "0.5", "--streams", "2", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["buffer_size"] == 4096 and report["torch_threads"] == 1
    raw = report["raw"]
    assert raw["blocks"] >= 5 and 0 < raw["median_ms"] <= raw["p99_ms"] <= raw["max_ms"]
    assert report["engine"]["blocks"] == raw["blocks"]
    live = report["realtime"]
    assert live["streams"] == 2 and live["blocks"] > 0 and live["overruns"] >= 0


IDENTITY_MODEL = '''
import sys
import torch
import nn_tilde


class Identity(nn_tilde.Module):
    def __init__(self):
        super().__init__(sr=44100)
        self.register_method("forward", 1, 1, 1, 1, ["(signal) in"], ["(signal) out"])

    @torch.jit.export
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


Identity().export_to_ts(sys.argv[1])
'''


def test_run_resampling_is_aligned(run, tmp_path):
    """An identity model declaring 44100 Hz: 48 kHz in, resampled there and back, comes out
    aligned with the input (no lag) and within the resampler's error."""
    import subprocess
    import sys
    source = os.environ.get("NN_TEST_SOURCE")
    if not source:
        pytest.fail("$NN_TEST_SOURCE is not set")
    script = tmp_path / "identity.py"
    script.write_text(IDENTITY_MODEL)
    model = tmp_path / "identity44k.ts"
    subprocess.run([sys.executable, str(script), str(model)], check=True,
                   env={**os.environ, "PYTHONPATH": os.path.join(source, "python")})
    rate, frames = 48000, 30011
    t = np.arange(frames) / rate
    x = (0.4 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 3000 * t)).astype(np.float32)
    src = write_wav(tmp_path / "in.wav", x, rate=rate)
    dst = tmp_path / "out.wav"
    result = run("run", model, src, dst)
    assert result.returncode == 0, result.stderr
    y, out_rate, _, _ = read_wav(dst)
    assert out_rate == rate and y.shape == (frames, 1)
    y = y[:, 0]
    lags = list(range(-8, 9))
    corr = [np.dot(x[5000:25000], y[5000 + lag:25000 + lag]) for lag in lags]
    assert lags[int(np.argmax(corr))] == 0
    err = np.sqrt(np.mean((x[2000:-2000] - y[2000:-2000]) ** 2))
    assert err < 1e-3, err

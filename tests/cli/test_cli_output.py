# SPDX-License-Identifier: MIT
"""What nntilde says and writes: `run`'s one summary line, samples never clipped silently,
output formats from the extension, a model's print() kept off stdout, the example models
found by bare name in the documented order, `cmake --install` of the CLI with its man page,
and `bench`'s explained figures and progress.
"""
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import make_signal, on_terminal, read_wav, write_wav, write_wav_pcm16


def examples_dir(nntilde):
    """Where the built tool's example models are: ../share/nn_tilde/examples next to it."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(nntilde))), "share", "nn_tilde", "examples")


# ---- the summary line ---------------------------------------------------------------------

def test_run_prints_one_summary_line(run, models, tmp_path):
    src = write_wav(tmp_path / "in.wav", make_signal(24000))
    dst = tmp_path / "out.wav"
    gain = os.path.join(models, "gain.ts")
    result = run("run", gain, "-b", "1024", src, dst)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    line = lines[0]
    assert line.startswith(f"wrote {dst}: 0.50 s, 1 channel at 48000 Hz, float; real-time factor "), line
    match = re.search(r"real-time factor ([0-9.]+) \(([0-9.]+) s for 0\.50 s\)", line)
    assert match, line
    assert abs(float(match[1]) - float(match[2]) / 0.5) < 0.002 + 0.01 * float(match[1]), line
    assert line.endswith("; latency 1024 samples (21.3 ms) removed"), line

    result = run("run", gain, "-b", "1024", "--keep-latency", src, dst)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(rf"wrote {re.escape(str(dst))}: 0\.52 s, .*; latency 1024 samples \(21\.3 ms\) kept\n",
                        result.stdout), result.stdout

    result = run("run", "-q", gain, src, dst)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == "", result


# ---- never clip silently ---------------------------------------------------------------------

def only_inputs_left(folder, *names):
    """Nothing but the inputs in `folder`: no output and no temporary file."""
    assert sorted(os.listdir(folder)) == sorted(names)


def test_run_refuses_to_clip_a_non_audio_output(run, models, tmp_path):
    """attrs.ts outputs its `count` attribute on channel 2: 48000 does not fit 16-bit PCM (the
    input's format), so the run stops and says which sample, and how to keep it."""
    src = write_wav_pcm16(tmp_path / "in16.wav", make_signal(4800))
    dst = tmp_path / "out.wav"
    attrs = os.path.join(models, "attrs.ts")
    result = run("run", attrs, "--set", "count=48000", src, dst)
    assert result.returncode == 4, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"nntilde: {dst}: output sample 48000 (channel 2 at 0.000 s) does not fit pcm16 "
                               "samples, which hold -1 to 1; refusing to clip"), lines[0]
    assert lines[0].endswith("(keep the values with --format wav:float)"), lines[0]
    assert result.stdout == ""
    only_inputs_left(tmp_path, "in16.wav")

    result = run("run", attrs, "--set", "count=48000", "--format", "wav:float", src, dst)
    assert result.returncode == 0, result.stderr
    y, rate, tag, bits = read_wav(dst)
    assert (tag, bits) == (3, 32) and np.all(y[:, 1] == 48000.0)


def test_run_refuses_an_overflowing_gain(run, models, tmp_path):
    src = write_wav_pcm16(tmp_path / "in16.wav", make_signal(4800))
    result = run("run", os.path.join(models, "gain.ts"), "--set", "gain=1e40", src, tmp_path / "out.wav")
    assert result.returncode == 4, result
    assert "does not fit pcm16 samples" in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    only_inputs_left(tmp_path, "in16.wav")


def test_run_writes_pcm16_when_every_sample_fits(run, models, tmp_path):
    x = make_signal(4800)
    src = write_wav_pcm16(tmp_path / "in16.wav", x)
    dst = tmp_path / "out.wav"
    result = run("run", os.path.join(models, "gain.ts"), "--set", "gain=0.5", src, dst)
    assert result.returncode == 0, result.stderr
    y, _, tag, bits = read_wav(dst)
    assert (tag, bits) == (1, 16)
    assert np.abs(y[:, 0] - 0.5 * np.round(x[:, 0] * 32767) / 32767).max() < 2.0 / 32767


def test_run_float_output_keeps_values_beyond_one(run, models, tmp_path):
    x = make_signal(4800)
    src = write_wav(tmp_path / "in.wav", x)
    dst = tmp_path / "out.wav"
    result = run("run", os.path.join(models, "gain.ts"), "--set", "gain=3", src, dst)
    assert result.returncode == 0, result.stderr
    y = read_wav(dst)[0]
    assert np.abs(y - 3 * x).max() <= 1e-6 and np.abs(y).max() > 1.0


def test_run_flac_has_no_float_so_wav_float_is_suggested(run, models, tmp_path):
    gain = os.path.join(models, "gain.ts")
    src = write_wav_pcm16(tmp_path / "in16.wav", make_signal(4800))
    result = run("run", gain, src, tmp_path / "in.flac")
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "in.flac", "rb") as f:
        assert f.read(4) == b"fLaC"
    result = run("run", gain, "--set", "gain=3", tmp_path / "in.flac", tmp_path / "out.flac")
    assert result.returncode == 4, result
    assert "does not fit pcm" in result.stderr and "(keep the values with --format wav:float)" in result.stderr
    only_inputs_left(tmp_path, "in16.wav", "in.flac")


# ---- output formats from the extension --------------------------------------------------------

@pytest.mark.parametrize("name", ["out.mp3", "out.txt", "out.wave2"])
def test_run_unknown_extension_is_refused_like_an_unknown_format(run, models, tmp_path, name):
    src = write_wav(tmp_path / "in.wav", make_signal(4800))
    gain = os.path.join(models, "gain.ts")
    ext = name.split(".")[1]
    result = run("run", gain, src, tmp_path / name)
    assert result.returncode == 2, result
    assert result.stderr == (f"nntilde: {tmp_path / name}: unknown output format '{ext}' (from OUT's extension; "
                             "e.g. wav, flac, aiff, ogg, caf, or give --format)\n")
    by_option = run("run", gain, "--format", ext, src, tmp_path / "out")
    assert by_option.returncode == 2 and f"unknown format '{ext}'" in by_option.stderr, by_option
    only_inputs_left(tmp_path, "in.wav")


def test_run_known_extension_no_extension_and_explicit_format(run, models, tmp_path):
    src = write_wav(tmp_path / "in.wav", make_signal(4800))
    gain = os.path.join(models, "gain.ts")
    for out, args, magic in [("out.aiff", [], b"FORM"), ("out", [], b"RIFF"), ("out.txt", ["--format", "wav"], b"RIFF")]:
        result = run("run", gain, *args, src, tmp_path / out)
        assert result.returncode == 0, result.stderr
        with open(tmp_path / out, "rb") as f:
            assert f.read(4) == magic, out


# ---- a model's own print() ------------------------------------------------------------------

CHATTY_MODEL = '''
import sys
import torch
import nn_tilde


class Chatty(nn_tilde.Module):
    def __init__(self):
        super().__init__()
        self.register_method("forward", 1, 1, 1, 1, ["(signal) in"], ["(signal) out"])

    @torch.jit.export
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        print("chatty: a block of", x.shape[-1])
        return x


Chatty().export_to_ts(sys.argv[1])
'''


@pytest.fixture(scope="module")
def chatty(tmp_path_factory):
    source = os.environ.get("NN_TEST_SOURCE")
    if not source:
        pytest.fail("$NN_TEST_SOURCE is not set")
    folder = tmp_path_factory.mktemp("chatty")
    script = folder / "chatty.py"
    script.write_text(CHATTY_MODEL)
    model = folder / "chatty.ts"
    subprocess.run([sys.executable, str(script), str(model)], check=True, capture_output=True,
                   env={**os.environ, "PYTHONPATH": os.path.join(source, "python")})
    return model


def test_model_prints_go_to_stderr_not_stdout(run, chatty, tmp_path):
    src = write_wav(tmp_path / "in.wav", make_signal(10000))
    dst = tmp_path / "out.wav"
    result = run("run", chatty, src, dst)
    assert result.returncode == 0, result.stderr
    assert "chatty" not in result.stdout and result.stdout.startswith("wrote "), result.stdout
    assert len(result.stdout.splitlines()) == 1
    assert "chatty: a block of 4096" in result.stderr, result.stderr
    bench = run("bench", chatty, "--seconds", "0.2", "--json")
    assert bench.returncode == 0, bench.stderr
    assert json.loads(bench.stdout)["raw"]["blocks"] >= 5
    assert "chatty: a block of" in bench.stderr


# ---- example models by bare name ------------------------------------------------------------

def test_example_models_are_found_by_bare_name(run, nntilde, models, tmp_path):
    examples = examples_dir(nntilde)
    work = tmp_path / "work"
    work.mkdir()
    user = tmp_path / "user_models"
    env = {"NN_TILDE_MODELS_DIR": str(user)}
    result = run("info", "--json", "nn_effects", env=env, cwd=work)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["file"] == os.path.join(examples, "nn_effects.ts")

    src = write_wav(work / "in.wav", make_signal(4800))
    result = run("run", "nn_effects", "-m", "saturate", "in.wav", "out.wav", env=env, cwd=work)
    assert result.returncode == 0, result.stderr
    assert read_wav(work / "out.wav")[0].shape == (4800, 1)

    # The documented order: current folder, then the models folder, then the examples.
    user.mkdir()
    shutil.copy(os.path.join(models, "gain.ts"), user / "nn_effects.ts")
    result = run("info", "--json", "nn_effects", env=env, cwd=work)
    assert json.loads(result.stdout)["file"] == str(user / "nn_effects.ts")
    shutil.copy(os.path.join(models, "multi.ts"), work / "nn_effects.ts")
    result = run("info", "--json", "nn_effects", env=env, cwd=work)
    assert json.loads(result.stdout)["file"] == str(work / "nn_effects.ts")

    result = run("info", "nope", env=env, cwd=work)
    assert result.returncode == 3
    assert result.stderr == (f"nntilde: nope: model 'nope' not found; searched: ./nope.ts, {user}/nope.ts, "
                             f"{examples}/nope.ts\n")


def test_cmake_install_of_the_cli(nntilde, tmp_path):
    """`cmake --install <build> --component cli` installs the tool, its man page (made of the
    --help texts) and the example models, and the installed tool finds them from anywhere."""
    build = os.environ.get("NN_TEST_BUILD")
    if not build:
        pytest.fail("$NN_TEST_BUILD is not set")
    cmake = os.environ.get("NN_CMAKE") or shutil.which("cmake")
    prefix = tmp_path / "prefix"
    done = subprocess.run([cmake, "--install", build, "--component", "cli", "--prefix", str(prefix)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    installed = sorted(os.path.relpath(os.path.join(root, f), prefix)
                       for root, _, files in os.walk(prefix) for f in files)
    assert installed == ["bin/nntilde", "share/man/man1/nntilde.1", "share/nn_tilde/examples/nn_effects.ts",
                         "share/nn_tilde/examples/nn_features.ts", "share/nn_tilde/examples/nn_hpss.ts"]
    exe = str(prefix / "bin" / "nntilde")
    page = (prefix / "share" / "man" / "man1" / "nntilde.1").read_text()
    assert page.startswith(".TH NNTILDE 1 ")
    for command in ["", "info", "run", "bench", "doctor", "models", "download", "delete"]:
        text = subprocess.run([exe, *([command] if command else []), "--help"], capture_output=True,
                              text=True).stdout
        first = text.splitlines()[0]
        assert first in page, f"'{first}' ({command or 'nntilde'} --help) is not in the man page"
    plain = tmp_path / "plain"
    done = subprocess.run([cmake, "--install", build, "--prefix", str(plain)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not os.path.exists(plain / "bin") and not os.path.exists(plain / "share"), \
        "a plain cmake --install (the Pd package's) must not install the CLI"
    away = tmp_path / "elsewhere"
    away.mkdir()
    result = subprocess.run([exe, "info", "--json", "nn_hpss"], capture_output=True, text=True, cwd=away,
                            env={**os.environ, "NN_TILDE_MODELS_DIR": str(tmp_path / "none")})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["file"] == str(prefix / "share" / "nn_tilde" / "examples" / "nn_hpss.ts")


# ---- bench ------------------------------------------------------------------------------------

def test_bench_explains_each_figure(run, models):
    text = run("bench", "--help").stdout
    for figure in ["median, p99, max", "real-time factor", "overhead", "noise band", "blocks computed",
                   "overruns", "longest callback"]:
        assert figure in text, f"'{figure}' is not explained in bench --help"
    result = run("bench", os.path.join(models, "gain.ts"), "--seconds", "0.5")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "no progress line when stderr is not a terminal"
    out = result.stdout
    assert "real-time factor" in out and "(mean compute time / block duration;" in out, out
    match = re.search(r"overhead (-?[0-9.]+) us \+/- ([0-9.]+) us per block", out)
    assert match, out
    within = abs(float(match[1])) <= float(match[2])
    assert ("within it, so not measurable" in out) == within and ("beyond it, so measured" in out) != within, out
    assert re.search(r"[0-9]+ of [0-9]+ blocks computed \(the last may still be running when the clock stops\), "
                     r"[0-9]+ overruns? \(blocks not ready in time, heard as silence\)", out), out
    report = json.loads(run("bench", os.path.join(models, "gain.ts"), "--seconds", "0.5", "--json").stdout)
    assert report["engine"]["overhead_noise_us_per_block"] >= 0.0


def test_bench_shows_progress_on_a_terminal(nntilde, models):
    code, shown = on_terminal([nntilde, "bench", os.path.join(models, "gain.ts"), "--seconds", "0.5"])
    assert code == 0, shown
    for step in ["raw ", "engine ", "realtime "]:
        assert re.search(step + r" *\[#+\] 100%  [0-9]+ of [0-9]+ blocks", shown), shown
    code, shown = on_terminal([nntilde, "bench", "-q", os.path.join(models, "gain.ts"), "--seconds", "0.5"])
    assert code == 0 and "[" not in shown, shown

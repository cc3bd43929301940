# SPDX-License-Identifier: MIT
"""Regression tests of issue 13's findings, through the built `nntilde`.

Each model finding has a reproducer made by tests/mutants/mutate.py from the generated
models: loading it must end in exit 3 and one line naming the problem, never a signal, a
hang or a silent load. The CLI findings (outputs that are not regular files, channel and
rate limits, stray warnings, SIGQUIT) are run for real."""
import os
import signal
import stat
import struct
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "mutants"))
import mutate  # noqa: E402
import wavfile  # noqa: E402


def run(cmd, timeout=120, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


@pytest.fixture(scope="module")
def repro(models, tmp_path_factory):
    out = tmp_path_factory.mktemp("repro")
    names = mutate.reproducers(models, str(out))
    assert len(names) == 8
    return out


def one_error(r, *needles):
    """Exit 3, no signal, one stderr line that names the problem."""
    assert r.returncode == 3, (r.returncode, r.stderr)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, r.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


@pytest.mark.parametrize("name,needles", [
    ("f1_empty_record.ts", ["record 'gain/data/1' holds 0 bytes", "needs 32"]),
    ("f2_deep_nesting.ts", ["nests 8000 levels deep"]),
    ("f3_huge_params.ts", ["4096 input channels x ratio 1048576", "16.0 GiB"]),
    ("f3_lying_size.ts", ["not a TorchScript archive", "inconsistent"]),
    ("f4_short_record.ts", ["record 'gain/data/1' holds 1 bytes", "needs 32"]),
    ("f5_bad_crc.ts", ["CRC error", "gain/data.pkl"]),
    ("f6_bad_code.ts", ["expected ) but found"]),
])
def test_bad_model_one_clear_error(nntilde, repro, name, needles):
    path = str(repro / name)
    one_error(run([nntilde, "info", path]), path, *needles)


def test_meta_device_params_load_on_the_cpu(nntilde, repro):
    # Finding 1's other form: storages tagged 'meta' are mapped to the CPU and their data is read.
    r = run([nntilde, "info", str(repro / "f1_meta_params.ts")])
    assert r.returncode == 0, r.stderr
    assert "forward  [1, 1, 1, 1]" in r.stdout


def test_corrupt_model_renders_nothing(nntilde, repro, tmp_path):
    # Finding 5: before, this file rendered with gain 2 instead of 1, silently.
    src = tmp_path / "in.wav"
    wavfile.write(str(src), np.full(4800, 0.25, dtype=np.float32), 48000)
    out = tmp_path / "out.wav"
    one_error(run([nntilde, "run", str(repro / "f5_bad_crc.ts"), str(src), str(out)]), "CRC error")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in.wav"]


def test_nesting_under_the_bound_loads(nntilde, models, tmp_path):
    e = mutate.read_entries(os.path.join(models, "gain.ts"))
    path = str(tmp_path / "deep_ok.ts")
    mutate.write_entries(path, mutate.replace(e, lambda n: n.endswith("code/__torch__.py"),
                                              lambda d: d + mutate.deep_source(200).encode()))
    r = run([nntilde, "info", path])
    assert r.returncode == 0, r.stderr


def params_model(models, tmp_path, values, name):
    e = mutate.read_entries(os.path.join(models, "gain.ts"))
    p = mutate.params_record(e, "gain")
    path = str(tmp_path / name)
    mutate.write_entries(path, mutate.replace(e, lambda n: n == p, lambda d: struct.pack("<4q", *values)))
    return path


def test_ratio_that_no_buffer_fits_is_refused_by_info(nntilde, models, tmp_path):
    path = params_model(models, tmp_path, (1, 3, 1, 3), "ratio3.ts")
    one_error(run([nntilde, "info", path]), "input ratio 3 is not a power of two")


def test_no_bufsize_warning_without_bufsize(nntilde, models, tmp_path):
    path = params_model(models, tmp_path, (1, 8192, 1, 8192), "ratio8192.ts")
    src = tmp_path / "in.wav"
    wavfile.write(str(src), np.full(20000, 0.25, dtype=np.float32), 48000)
    r = run([nntilde, "run", "-q", path, str(src), str(tmp_path / "out.wav")])
    assert r.returncode == 0, r.stderr
    assert "--bufsize" not in r.stderr
    r = run([nntilde, "run", "-q", "-b", "512", path, str(src), str(tmp_path / "out2.wav")])
    assert r.returncode == 0, r.stderr
    assert "--bufsize 512 is below the model's largest ratio: using 8192" in r.stderr


def test_symlink_loop_is_bad_input(nntilde, tmp_path):
    a, b = tmp_path / "a.ts", tmp_path / "b.ts"
    os.symlink(b, a)
    os.symlink(a, b)
    one_error(run([nntilde, "info", str(a)]), "symbolic link loop")


def test_fifo_model_is_refused_without_blocking(nntilde, tmp_path):
    os.mkfifo(tmp_path / "fifo.ts")
    # By path and by bare name (the lookup): refused before anything opens it.
    one_error(run([nntilde, "info", str(tmp_path / "fifo.ts")], timeout=20), "not a regular file")
    one_error(run([nntilde, "info", "fifo"], timeout=20, cwd=str(tmp_path)), "not a regular file")


def wav_header_rate(path, rate, frames=100):
    payload = b"\0" * (frames * 2)
    fmt = struct.pack("<HHIIHH", 1, 1, rate, (rate * 2) & 0xFFFFFFFF, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(payload)) + payload
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)


@pytest.mark.parametrize("rate", [1, 0x7FFFFFFF])
def test_absurd_sample_rate_is_bad_input(nntilde, models, tmp_path, rate):
    src = str(tmp_path / "in.wav")
    wav_header_rate(src, rate)
    r = run([nntilde, "run", os.path.join(models, "gain.ts"), src, str(tmp_path / "out.wav")])
    if r.returncode == 3 and "cannot read sound file" in r.stderr:
        return  # libsndfile itself refused the header: also bad input, one message
    one_error(r, "sample rate %d Hz is outside" % rate)


def test_many_channels_with_resampling_is_clear(nntilde, models, tmp_path):
    src = str(tmp_path / "in.wav")
    wavfile.write(src, np.zeros((4800, 130), dtype=np.float32), 48000)
    model = os.path.join(models, "examples", "nn_features.ts")
    # --frames resamples IN before the engine (libsamplerate's channel limit); without it
    # the engine resamples each channel on its own.
    one_error(run([nntilde, "run", "--batch-channels", "--frames", "-m", "rms", model, src, str(tmp_path / "o.wav")]),
              "at most 128 channels", "give a file at 44100 Hz")


@pytest.fixture
def short_input(tmp_path):
    src = tmp_path / "in.wav"
    wavfile.write(str(src), np.full(4800, 0.25, dtype=np.float32), 48000)
    return str(src)


def test_output_to_dev_null_keeps_the_device(nntilde, models, short_input):
    before = os.stat("/dev/null")
    r = run([nntilde, "run", "-q", os.path.join(models, "gain.ts"), short_input, "/dev/null"])
    assert r.returncode == 0, r.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert not [n for n in os.listdir("/dev") if ".nntilde-" in n]


def test_output_through_a_symlink_writes_its_target(nntilde, models, short_input, tmp_path):
    target = tmp_path / "real.wav"
    target.write_bytes(b"old")
    link = tmp_path / "link.wav"
    os.symlink(target, link)
    r = run([nntilde, "run", "-q", os.path.join(models, "gain.ts"), short_input, str(link)])
    assert r.returncode == 0, r.stderr
    assert os.path.islink(link) and os.readlink(link) == str(target)
    data, rate, *_ = wavfile.read(str(target))
    assert rate == 48000 and data.shape[0] == 4800


def test_output_into_a_fifo_is_written_through(nntilde, models, short_input, tmp_path):
    fifo = tmp_path / "out.wav"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
    reader.start()
    r = run([nntilde, "run", "-q", "-f", "au:float", os.path.join(models, "gain.ts"), short_input, str(fifo)])
    if r.returncode != 0:
        with open(fifo, "wb"):
            pass  # release the reader
    reader.join(30)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced"
    assert r.returncode == 0, r.stderr
    assert got and got[0][:4] == b".snd" and len(got[0]) >= 4800 * 4


def test_sigquit_removes_the_temporary_file(nntilde, models, tmp_path):
    src = str(tmp_path / "in.wav")
    wavfile.write(src, np.zeros(48000 * 30, dtype=np.float32), 48000)
    out = tmp_path / "out.wav"
    p = subprocess.Popen([nntilde, "run", "-q", os.path.join(models, "slow.ts"), src, str(out)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and not [n for n in os.listdir(tmp_path) if ".nntilde-" in n]:
        time.sleep(0.05)
    assert [n for n in os.listdir(tmp_path) if ".nntilde-" in n], "no temporary file appeared"
    p.send_signal(signal.SIGQUIT)
    p.wait(30)
    assert p.returncode == -signal.SIGQUIT
    assert sorted(os.listdir(tmp_path)) == ["in.wav"]

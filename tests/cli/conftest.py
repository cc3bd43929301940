# SPDX-License-Identifier: MIT
"""Shared fixtures for the nntilde command-line tests.

The tests drive the built `nntilde` executable (path in $NNTILDE, set by CTest)
on the generated test models ($NN_TEST_MODELS) and IRCAM's fixtures
($NN_TEST_FIXTURES), and compare its output files with the same models run in
Python torch. Anything missing is a failure with a clear message, never a skip.

Tests that read IRCAM's fixtures (they use the `fixtures` fixture, or carry the mark) get the
mark `fixtures`: tests/cli/CMakeLists.txt runs them as separate CTest tests (`-m fixtures`),
which are not run, and named by the test command, when the fixture files are missing.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))
import wavfile  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "fixtures: reads IRCAM's fixture models ($NN_TEST_FIXTURES)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "fixtures" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.fixtures)


def _require_env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"${name} is not set: run this test through ctest (tests/cli/CMakeLists.txt)")
    return value


@pytest.fixture(scope="session")
def nntilde():
    path = _require_env("NNTILDE")
    if not os.access(path, os.X_OK):
        pytest.fail(f"nntilde executable not found at {path}: build the 'nntilde' target")
    return path


def _require_folder(name, witness, missing):
    """The folder named by $`name`, which must hold the file `witness`; `missing` says why not."""
    path = _require_env(name)
    if not os.path.isfile(os.path.join(path, witness)):
        pytest.fail(missing.format(path=path))
    return path


@pytest.fixture(scope="session")
def models():
    return _require_folder("NN_TEST_MODELS", "gain.ts",
                           "generated test models missing in {path}: build the 'models' target")


@pytest.fixture(scope="session")
def fixtures():
    return _require_folder("NN_TEST_FIXTURES", "effects.ts",
                           "IRCAM fixture models missing in {path} (expected effects.ts)")


@pytest.fixture
def run(nntilde, tmp_path):
    """run(*args, env=None, cwd=None) -> CompletedProcess, with a private models folder."""
    def _run(*args, env=None, timeout=300, cwd=None):
        full_env = dict(os.environ)
        full_env.setdefault("NN_TILDE_MODELS_DIR", str(tmp_path / "user_models"))
        full_env["NN_TILDE_API_URL"] = full_env.get("NN_TILDE_API_URL", "http://127.0.0.1:9/")
        if env:
            full_env.update(env)
        return subprocess.run([nntilde, *map(str, args)], capture_output=True, text=True, env=full_env,
                              timeout=timeout, cwd=cwd)
    return _run


def make_signal(frames, channels=1, rate=48000, seed=7):
    """Deterministic mix of sines and noise, amplitude < 1, shape [frames, channels]."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames) / rate
    out = np.empty((frames, channels), dtype=np.float32)
    for c in range(channels):
        out[:, c] = (0.4 * np.sin(2 * np.pi * (220.0 + 110.0 * c) * t)
                     + 0.2 * np.sin(2 * np.pi * (1375.0 + 70.0 * c) * t)
                     + 0.05 * rng.standard_normal(frames))
    return out


def write_wav(path, data, rate=48000):
    wavfile.write(str(path), data, rate)
    return path


def read_wav(path):
    return wavfile.read(str(path))


def write_wav_pcm16(path, data, rate=48000):
    wavfile.write_pcm16(str(path), data, rate)
    return path


def on_terminal(args, env=None, timeout=300):
    """Run `args` with stderr on a pseudo-terminal; returns (exit code, what stderr showed)."""
    import pty
    master, slave = pty.openpty()
    proc = subprocess.Popen(list(map(str, args)), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=slave, env=env)
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
    return proc.wait(timeout=timeout), b"".join(chunks).decode(errors="replace")

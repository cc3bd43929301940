# SPDX-License-Identifier: MIT
"""`nntilde models / download / delete` against a real HTTP server on 127.0.0.1.

Uses the download tests' fake API (tests/download/server.py): a good list and
good model, and models that fail in known ways. Checks the listing, custom
names, exit codes for server failures, and that a failed download leaves
nothing in the models folder.
"""
import os
import re
import subprocess
import sys

import pytest


@pytest.fixture
def server(models):
    source = os.environ.get("NN_TEST_SOURCE")
    if not source:
        pytest.fail("$NN_TEST_SOURCE is not set")
    script = os.path.join(source, "tests", "download", "server.py")
    if not os.path.isfile(script):
        pytest.fail(f"the fake API server is missing: {script}")
    proc = subprocess.Popen([sys.executable, script, "--model", os.path.join(models, "gain.ts")],
                            stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())
    yield f"http://127.0.0.1:{port}/"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def env(server, tmp_path):
    folder = tmp_path / "models"
    return {"NN_TILDE_API_URL": server + "api/", "NN_TILDE_MODELS_DIR": str(folder)}


def test_models_lists_cards_and_installed(run, env, tmp_path):
    os.makedirs(env["NN_TILDE_MODELS_DIR"])
    with open(os.path.join(env["NN_TILDE_MODELS_DIR"], "local.ts"), "wb") as f:
        f.write(b"x")
    result = run("models", env=env)
    assert result.returncode == 0, result.stderr
    assert "  local\n" in result.stdout
    assert "  test/models/gain\n" in result.stdout and "  ircam/rave/isis\n" in result.stdout
    result = run("models", "--installed", env={**env, "NN_TILDE_API_URL": "http://127.0.0.1:9/"})
    assert result.returncode == 0 and "  local\n" in result.stdout


def test_models_server_error(run, env, server):
    result = run("models", env={**env, "NN_TILDE_API_URL": server + "e500/"})
    assert result.returncode == 1
    assert result.stderr.startswith("nntilde: ")


def test_download_then_delete(run, env, models):
    result = run("download", "-q", "test/models/gain", "--name", "mine", env=env)
    assert result.returncode == 0, result.stderr
    installed = os.path.join(env["NN_TILDE_MODELS_DIR"], "mine.ts")
    assert result.stdout.strip() == installed
    with open(installed, "rb") as a, open(os.path.join(models, "gain.ts"), "rb") as b:
        assert a.read() == b.read()
    info = run("info", "mine", env=env)
    assert info.returncode == 0 and installed in info.stdout
    result = run("delete", "mine", env=env)
    assert result.returncode == 0 and not os.path.exists(installed)
    result = run("delete", "mine", env=env)
    assert result.returncode == 3 and result.stderr.startswith("nntilde: mine: ")


@pytest.mark.parametrize("name", ["html", "missing", "error", "truncated"])
def test_download_failures(name, run, env):
    result = run("download", "-q", f"test/models/{name}", env=env)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith(f"nntilde: test/models/{name}: "), result.stderr
    folder = env["NN_TILDE_MODELS_DIR"]
    assert not os.path.isdir(folder) or os.listdir(folder) == []


def test_download_of_an_installed_model_says_so_and_force_replaces_it(run, env, models):
    result = run("download", "-q", "test/models/gain", env=env)
    assert result.returncode == 0, result.stderr
    installed = result.stdout.strip()
    assert installed == os.path.join(env["NN_TILDE_MODELS_DIR"], "gain.ts")
    with open(installed, "wb") as f:
        f.write(b"PK\x03\x04 an older file")

    result = run("download", "-q", "test/models/gain", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == installed + "\n"
    assert result.stderr == (f"nntilde: test/models/gain: already installed at {installed}: nothing downloaded "
                             "(--force downloads it again)\n")
    with open(installed, "rb") as f:
        assert f.read() == b"PK\x03\x04 an older file"

    result = run("download", "-q", "--force", "test/models/gain", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == installed + "\n" and result.stderr == ""
    with open(installed, "rb") as a, open(os.path.join(models, "gain.ts"), "rb") as b:
        assert a.read() == b.read()
    assert os.listdir(env["NN_TILDE_MODELS_DIR"]) == ["gain.ts"]


def test_download_force_that_fails_keeps_the_installed_model(run, env, models):
    result = run("download", "-q", "test/models/gain", "--name", "mine", env=env)
    assert result.returncode == 0, result.stderr
    result = run("download", "-q", "--force", "test/models/error", "--name", "mine", env=env)
    assert result.returncode == 1, result
    assert result.stderr.splitlines()[-1].startswith("nntilde: test/models/error: "), result.stderr
    assert os.listdir(env["NN_TILDE_MODELS_DIR"]) == ["mine.ts"]
    with open(os.path.join(env["NN_TILDE_MODELS_DIR"], "mine.ts"), "rb") as a, \
            open(os.path.join(models, "gain.ts"), "rb") as b:
        assert a.read() == b.read()


def test_download_progress_shows_bytes(nntilde, env):
    from conftest import on_terminal
    code, shown = on_terminal([nntilde, "download", "test/models/gain"], env={**os.environ, **env})
    assert code == 0, shown
    assert re.search(r"\[#+\] 100%  [0-9.]+ of [0-9.]+ MB", shown), shown
    assert "audio" not in shown

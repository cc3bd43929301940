# SPDX-License-Identifier: MIT
"""Every bad input gives the documented exit code, one clear message, no partial output.

Exit codes (nntilde --help, docs/cli.md): 1 model/processing failure, 2 usage
error, 3 bad input file (model or sound), 4 output cannot be written. Each
failing `run` must leave neither OUT nor a temporary file in OUT's folder.
"""
import os
import stat

import pytest

from conftest import make_signal, write_wav


def check_failure(result, code, *needles):
    assert result.returncode == code, f"exit {result.returncode}, expected {code}; stderr: {result.stderr!r}"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one error line, got: {result.stderr!r}"
    assert lines[0].startswith("nntilde: "), lines[0]
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"


@pytest.fixture
def workdir(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    write_wav(tmp_path / "in.wav", make_signal(3000))
    return tmp_path


def assert_no_output(folder):
    leftovers = sorted(os.listdir(folder))
    assert leftovers == [], f"files left in the output folder: {leftovers}"


def render(run, workdir, model, *extra):
    return run("run", model, *extra, workdir / "in.wav", workdir / "out" / "out.wav")


BAD_MODELS = [
    ("missing", "does/not/exist.ts", "exist.ts"),
    ("missing-bare-name", "no_such_model_anywhere", "no_such_model_anywhere"),
    ("empty", "bad/empty.ts", "empty.ts"),
    ("random", "bad/random.ts", "random.ts"),
    ("truncated", "bad/truncated.ts", "truncated.ts"),
    ("not-nn", "bad/not_nn.ts", "not_nn.ts"),
    ("no-params", "bad/no_params.ts", "no_params.ts"),
    ("directory", "bad/a_directory.ts", "a_directory.ts"),
]


@pytest.mark.parametrize("case", BAD_MODELS, ids=[c[0] for c in BAD_MODELS])
def test_bad_model(case, run, models, workdir):
    _, name, needle = case
    path = name if name.startswith(("does/", "no_such")) else os.path.join(models, name)
    check_failure(render(run, workdir, path), 3, needle)
    assert_no_output(workdir / "out")
    check_failure(run("info", path), 3, needle)


def test_unknown_method(run, models, workdir):
    check_failure(render(run, workdir, os.path.join(models, "gain.ts"), "-m", "nope"), 2, "nope", "forward")
    assert_no_output(workdir / "out")


BAD_SETS = [
    ("unknown-attribute", "gain.ts", "volume=2", "volume"),
    ("not-a-float", "gain.ts", "gain=abc", "gain"),
    ("no-equals", "gain.ts", "gain", "ATTRIBUTE=VALUE"),
    ("wrong-count", "attrs.ts", "pair=1", "pair"),
    ("too-many", "attrs.ts", "count=1,2", "count"),
    ("not-integral", "attrs.ts", "count=1.5", "count"),
    ("not-a-bool", "attrs.ts", "flag=maybe", "flag"),
    ("refused-string", "attrs.ts", "mode=z", "mode"),
    ("refused-odd-int", "attrs.ts", "pair=3,0.5", "pair"),
]


@pytest.mark.parametrize("case", BAD_SETS, ids=[c[0] for c in BAD_SETS])
def test_bad_attribute_value(case, run, models, workdir):
    _, model, assignment, needle = case
    check_failure(render(run, workdir, os.path.join(models, model), "--set", assignment), 2, needle)
    assert_no_output(workdir / "out")


def test_buffer_attribute_out_of_bounds(run, models, workdir):
    """attrs.ts `sample` takes 16..4096 frames: 8 frames are refused."""
    write_wav(workdir / "short.wav", make_signal(8))
    check_failure(render(run, workdir, os.path.join(models, "attrs.ts"), "--set",
                         f"sample={workdir / 'short.wav'}"), 2, "sample")
    assert_no_output(workdir / "out")


def test_buffer_attribute_unreadable(run, models, workdir):
    check_failure(render(run, workdir, os.path.join(models, "attrs.ts"), "--set",
                         f"sample={workdir / 'missing.wav'}"), 3, "missing.wav")
    assert_no_output(workdir / "out")


def test_sound_input_missing(run, models, workdir):
    result = run("run", os.path.join(models, "gain.ts"), workdir / "nothere.wav", workdir / "out" / "o.wav")
    check_failure(result, 3, "nothere.wav")
    assert_no_output(workdir / "out")


@pytest.mark.parametrize("content", [b"", b"RIFF\x00\x00\x00\x00garbage" * 10, os.urandom(2048)],
                         ids=["zero-bytes", "corrupt-header", "random-bytes"])
def test_sound_input_unreadable(content, run, models, workdir):
    bad = workdir / "bad.wav"
    bad.write_bytes(content)
    result = run("run", os.path.join(models, "gain.ts"), bad, workdir / "out" / "o.wav")
    check_failure(result, 3, "bad.wav")
    assert_no_output(workdir / "out")


def test_sound_input_no_frames(run, models, workdir):
    write_wav(workdir / "empty.wav", make_signal(0))
    result = run("run", os.path.join(models, "gain.ts"), workdir / "empty.wav", workdir / "out" / "o.wav")
    check_failure(result, 3, "empty")
    assert_no_output(workdir / "out")


def test_channels_do_not_fit(run, models, workdir):
    """3 channels into a 2-input method is neither a match nor a batch."""
    write_wav(workdir / "three.wav", make_signal(1000, 3))
    result = run("run", os.path.join(models, "multi.ts"), "-m", "swap", workdir / "three.wav",
                 workdir / "out" / "o.wav")
    check_failure(result, 3, "three.wav", "--batch-channels")
    assert_no_output(workdir / "out")


def test_output_folder_missing(run, models, workdir):
    result = run("run", os.path.join(models, "gain.ts"), workdir / "in.wav", workdir / "nofolder" / "o.wav")
    check_failure(result, 4, "o.wav")
    assert not (workdir / "nofolder").exists()


def test_output_is_a_directory(run, models, workdir):
    result = run("run", os.path.join(models, "gain.ts"), workdir / "in.wav", workdir / "out")
    check_failure(result, 4, "directory")
    assert_no_output(workdir / "out")


def test_output_folder_read_only(run, models, workdir):
    if os.geteuid() == 0:
        # root writes anywhere: make the folder unusable another way (a file in its place).
        target = workdir / "notafolder"
        target.write_text("x")
        result = run("run", os.path.join(models, "gain.ts"), workdir / "in.wav", target / "o.wav")
        check_failure(result, 4, "o.wav")
        return
    locked = workdir / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = run("run", os.path.join(models, "gain.ts"), workdir / "in.wav", locked / "o.wav")
        check_failure(result, 4, "o.wav")
        assert_no_output(locked)
    finally:
        locked.chmod(stat.S_IRWXU)


def test_output_format_unwritable(run, models, workdir):
    """A format that cannot hold the data is refused before anything is written."""
    result = render(run, workdir, os.path.join(models, "gain.ts"), "--format", "wav:vorbis")
    check_failure(result, 2, "out.wav")
    assert_no_output(workdir / "out")


def test_model_throws_while_running(run, models, workdir):
    """A model that raises during the render: exit 1, no output left."""
    check_failure(render(run, workdir, os.path.join(models, "throws.ts"), "--set", "fail=true"), 1)
    assert_no_output(workdir / "out")


def test_model_setter_throws(run, models, workdir):
    check_failure(render(run, workdir, os.path.join(models, "throws.ts"), "--set", "explode=1"), 2, "explode")
    assert_no_output(workdir / "out")


@pytest.mark.parametrize("method", ["wrong_length", "wrong_dtype", "wrong_channels", "wrong_ndim"])
def test_model_bad_output(method, run, models, workdir):
    check_failure(render(run, workdir, os.path.join(models, "bad_outputs.ts"), "-m", method), 1)
    assert_no_output(workdir / "out")


def test_existing_output_kept_on_failure(run, models, workdir):
    """A failed render does not touch a file already at OUT."""
    out = workdir / "out" / "out.wav"
    out.write_bytes(b"previous")
    check_failure(render(run, workdir, os.path.join(models, "gain.ts"), "--set", "gain=x"), 2)
    assert out.read_bytes() == b"previous"
    check_failure(render(run, workdir, os.path.join(models, "throws.ts"), "--set", "fail=1"), 1)
    assert out.read_bytes() == b"previous"
    assert sorted(os.listdir(workdir / "out")) == ["out.wav"]


USAGE = [
    ("no-command", []),
    ("unknown-command", ["frobnicate"]),
    ("run-no-args", ["run"]),
    ("run-missing-out", ["run", "gain.ts", "in.wav"]),
    ("run-unknown-option", ["run", "--frobnicate", "a", "b", "c"]),
    ("run-bad-bufsize", ["run", "-b", "-3", "a", "b", "c"]),
    ("run-bufsize-not-a-number", ["run", "--bufsize", "big", "a", "b", "c"]),
    ("run-option-needs-value", ["run", "a", "b", "c", "--method"]),
    ("run-unknown-format", ["run", "--format", "mp9", "a", "b", "c"]),
    ("info-no-model", ["info"]),
    ("bench-bad-streams", ["bench", "--streams", "0", "gain.ts"]),
    ("bench-bad-seconds", ["bench", "--seconds", "-1", "gain.ts"]),
    ("doctor-extra", ["doctor", "extra"]),
    ("download-no-card", ["download"]),
    ("delete-no-name", ["delete"]),
]


@pytest.mark.parametrize("case", USAGE, ids=[c[0] for c in USAGE])
def test_usage_errors(case, run):
    result = run(*case[1])
    assert result.returncode == 2, f"exit {result.returncode}: {result.stderr!r}"
    assert result.stderr.startswith("nntilde") or result.stderr.startswith("usage: nntilde"), result.stderr


@pytest.mark.parametrize("command", ["", "info", "run", "bench", "doctor", "models", "download", "delete"])
def test_help_and_version(command, run):
    args = [command] if command else []
    result = run(*args, "--help")
    assert result.returncode == 0 and "usage: nntilde" in result.stdout, result.stderr
    assert "exit codes" in result.stdout
    result = run(*args, "--version")
    assert result.returncode == 0 and result.stdout.startswith("nntilde "), result.stderr


def test_bad_card_is_refused_before_any_request(run):
    """Card checks happen before the network: the API URL here is unreachable."""
    result = run("download", "../../etc/passwd")
    check_failure(result, 2)


def test_interrupt_leaves_no_file(nntilde, models, workdir):
    """SIGINT in the middle of a render removes the temporary file."""
    import signal
    import subprocess
    import time
    write_wav(workdir / "long.wav", make_signal(48000 * 20))
    out_dir = workdir / "out"
    proc = subprocess.Popen([nntilde, "run", "-q", "-b", "1024", os.path.join(models, "slow.ts"),
                             str(workdir / "long.wav"), str(out_dir / "o.wav")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not os.listdir(out_dir) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, f"render ended before it could be interrupted: {proc.stderr.read()}"
    temp = os.listdir(out_dir)
    assert len(temp) == 1 and temp[0].startswith(".o.wav.nntilde-"), temp
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == -signal.SIGINT
    assert_no_output(out_dir)

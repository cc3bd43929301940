# SPDX-License-Identifier: MIT
"""A fresh clone on its own: the README's set-up command works from the repository alone.

Clones the committed HEAD of the source repository into a temporary folder with no
../shared beside it (so no IRCAM fixture models), runs the README's demo command there
(scripts/demo.sh: it builds the Pd package and nntilde, renders the example sound in Pd and
with nntilde by bare model name), and checks the test command's summary
(scripts/test.sh --configure-only release) names every test that compares against the fixture
models as not run, and why; with NN_REQUIRE_FIXTURES=1 (CI) the same configure fails.
Uncommitted changes are not part of the clone: commit before running this test by hand.
"""
import os
import re
import subprocess

import pytest


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"${name} is not set: run this test through ctest (tests/cli/CMakeLists.txt)")
    return value


def clean_env():
    """The environment of a user's shell: none of the test variables."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("NN_", "NNTILDE"))}


def run(args, cwd, env=None, timeout=1500):
    done = subprocess.run(args, cwd=cwd, env=env or clean_env(), capture_output=True, text=True, timeout=timeout)
    return done.returncode, done.stdout + done.stderr


def fixture_tests(build):
    """The tests of this build that carry the `fixtures` label."""
    listed = subprocess.run(["ctest", "--test-dir", build, "-N", "-L", "^fixtures$"], capture_output=True,
                            text=True, check=True).stdout
    return sorted(re.findall(r"Test +#[0-9]+: (\S+)", listed))


def test_fresh_clone_demo_and_test_summary(tmp_path):
    source, build = _env("NN_TEST_SOURCE"), _env("NN_TEST_BUILD")
    head = subprocess.run(["git", "-C", source, "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    clone = tmp_path / "nn_tilde"
    code, out = run(["git", "clone", "--quiet", "--no-checkout", source, str(clone)], cwd=tmp_path)
    assert code == 0, out
    code, out = run(["git", "checkout", "--quiet", "--detach", head], cwd=clone)
    assert code == 0, out
    assert not os.path.exists(tmp_path / "shared"), "../shared must not exist beside the clone"

    # The README's set-up command, word for word.
    code, out = run(["bash", "scripts/demo.sh"], cwd=clone)
    assert code == 0, out
    output = clone / "build" / "demo" / "output.wav"
    assert f"demo: wrote {output} (harmonic left, percussive right" in out, out
    assert os.path.getsize(output) > 44
    nntilde = clone / "build" / "bin" / "nntilde"
    assert f"demo: nntilde is built at {nntilde} " in out, out
    assert re.search(rf"demo: nntilde: wrote {re.escape(str(clone))}/build/demo/nntilde\.wav: 2\.50 s, 2 channels",
                     out), out
    code, shown = run([str(nntilde), "--help"], cwd=tmp_path)
    assert code == 0 and shown.startswith("usage: nntilde <command>"), shown

    # The test command's summary, without building or running: every fixture test named, and why,
    # and the parts that need the rest of ../shared (Pd 0.56's source, the Max SDK headers).
    code, out = run(["bash", "scripts/test.sh", "--configure-only", "release"], cwd=clone)
    assert code == 0, out
    expected = fixture_tests(str(clone / "build-test" / "release"))
    assert len(expected) >= 10, f"too few fixture tests registered in the clone: {expected}"
    assert set(expected) <= set(fixture_tests(build)), (expected, fixture_tests(build))
    assert "tests not run: Pd 0.56.5 cannot run: the Pd 0.56-5 source tarball" in out, out
    assert "=== [release] not built or run: the Max objects and their tests (no Max SDK headers" in out, out
    assert (f"=== [release] {len(expected)} tests not run, for lack of IRCAM's fixture models (effects.ts, "
            f"demo_attributes.ts, demo_mc.ts not found in NN_FIXTURES_DIR={clone}/../shared/fixtures/models;") in out, out
    named = out.split("to run them):\n", 1)[1].splitlines()[0].split()
    assert sorted(named) == expected, out
    assert "=== configured (release); nothing built or run ===" in out

    env = clean_env()
    env["NN_REQUIRE_FIXTURES"] = "1"
    code, out = run(["bash", "scripts/test.sh", "--configure-only", "release"], cwd=clone, env=env)
    assert code != 0, out
    flowed = " ".join(out.split())  # CMake wraps its error messages
    # The first missing part of ../shared stops the configure (the Max SDK headers are looked for first).
    assert "the Max SDK headers are required (NN_REQUIRE_FIXTURES=ON, as in CI) but neither MAX_SDK_DIR nor " \
           "../shared/vendor/max-sdk-base-*-headers.tar.xz was found" in flowed, out
    # ... and the switch does not stick in the build folder's cache.
    code, out = run(["bash", "scripts/test.sh", "--configure-only", "release"], cwd=clone)
    assert code == 0 and f"=== [release] {len(expected)} tests not run" in out, out

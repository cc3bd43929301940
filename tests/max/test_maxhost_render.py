"""nn~ in C — a render through the Max test host compared with numpy (hosttest_gain~).
SPDX-License-Identifier: MIT
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import maxhost  # noqa: E402


def test_gain_render_matches_numpy(tmp_path):
    frames = 1000
    x = np.sin(np.arange(frames) * 0.05).astype(np.float32)
    maxhost.write_f32(tmp_path / "in.f32", x)
    ext = os.environ["NN_MAXHOST_EXTERNALS"]
    maxhost.run_script(
        f"""load {ext}/hosttest_gain~.mxl
new g hosttest_gain~ 0.75
dsp g sr=48000 vs=100 in=1
perform g {frames} {tmp_path}/in.f32 {tmp_path}/out.f32
expect-console-errors 0
""",
        tmp_path,
    )
    y = maxhost.read_f32(tmp_path / "out.f32", 1)[:, 0]
    assert y.shape == (frames,)
    np.testing.assert_allclose(y, 0.75 * x, rtol=0, atol=1e-6)


def test_failing_expectation_fails(tmp_path):
    ext = os.environ["NN_MAXHOST_EXTERNALS"]
    proc = maxhost.run_script(
        f"load {ext}/hosttest_gain~.mxl\nnew g hosttest_gain~\nexpect-console error never printed\n",
        tmp_path,
        check=False,
    )
    assert proc.returncode == 1
    assert "no console line containing" in proc.stderr or "no console error" in proc.stderr

"""nn~ in C — Python helpers to drive nn_maxhost (the Max test host) from pytest.

render(script_lines, inputs) writes the input signals as raw float32 files, runs a script
through nn_maxhost and returns the outputs as numpy arrays. Environment (set by CTest):
NN_MAXHOST (the program), NN_MAXHOST_EXTERNALS (folder of built externals).
SPDX-License-Identifier: MIT
"""
import os
import subprocess

import numpy as np


def run_script(text, tmp_path, check=True):
    """Runs a script; returns the CompletedProcess. check: fail unless it ends with ok."""
    script = tmp_path / "script.txt"
    script.write_text(text)
    proc = subprocess.run([os.environ["NN_MAXHOST"], str(script)], capture_output=True, text=True, timeout=600)
    if check and (proc.returncode != 0 or not proc.stdout.rstrip().endswith("ok")):
        raise AssertionError(f"nn_maxhost failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def write_f32(path, frames_by_channels):
    """Writes a [frames, channels] (or [frames]) array as interleaved float32."""
    np.asarray(frames_by_channels, dtype="<f4").tofile(path)


def read_f32(path, channels):
    """Reads interleaved float32 as a [frames, channels] array."""
    return np.fromfile(path, dtype="<f4").reshape(-1, channels)

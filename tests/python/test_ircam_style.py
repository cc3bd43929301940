# SPDX-License-Identifier: MIT
"""An export script in the style of those written for IRCAM's package runs unchanged."""
import os
import subprocess
import sys

import torch

from conftest import PYTHON_DIR

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                      "ircam_style_export.py")


def test_ircam_style_export_script(tmp_path):
    out = str(tmp_path / "codec.ts")
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
    result = subprocess.run([sys.executable, SCRIPT, out], env=env, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    model = torch.jit.load(out)
    assert model.get_methods() == ["encode", "decode", "forward"]
    assert model.encode_params.tolist() == [1, 1, 4, 64]
    assert model.decode_params.tolist() == [4, 64, 1, 1]
    assert model.encode_output_labels[3] == "(signal) Latent dimension 4"
    assert model.get_attributes() == ["learn_target", "temperature", "polynomial_factors",
                                      "fractal", "wave"]
    assert model.get_learn_target() is False
    assert model.set_learn_target(True) == 0 and model.get_learn_target() is True
    assert model.get_polynomial_factors() == [1.0, 0.0, 0.0, 0.0]
    assert model.set_polynomial_factors(0.5, 0.25, 0.0, 0.0) == 0
    assert model.get_polynomial_factors() == [0.5, 0.25, 0.0, 0.0]
    assert model.set_fractal(3, 0.5) == -1 and model.get_fractal() == (2, 0.0)
    assert model.get_temperature() == (1.0,)
    assert model.get_buffer_attributes() == ["wave#0"]
    assert model.set_buffer_attribute("wave#0", torch.zeros(1, 32), 44100) == -1
    assert model.set_buffer_attribute("wave#0", torch.zeros(1, 128), 44100) == 0
    assert model.set_wave("wave#0") == 0
    assert model.get_sample_rate() == 44100
    y = model(torch.zeros(1, 1, 256))
    assert y.shape == (1, 1, 256) and y.dtype == torch.float32

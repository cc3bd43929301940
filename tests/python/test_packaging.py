# SPDX-License-Identifier: MIT
"""`pip install ./python` installs the nn_tilde package: into a fresh virtual environment
(`python3 -m venv --system-site-packages`, for Debian's torch), offline, and the package is
then imported, and exports a model, from outside the source tree."""
import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

from conftest import PYTHON_DIR

EXPORT = """
import os, sys, importlib.metadata as metadata
import torch, nn_tilde

class Gain(nn_tilde.Module):
    def __init__(self):
        super().__init__()
        self.register_attribute("gain", 0.5)
        self.register_method("forward", 1, 1, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gain[0]

Gain().export_to_ts(sys.argv[1])
print(os.path.realpath(nn_tilde.__file__))
print(nn_tilde.__version__, metadata.version("nn_tilde"))
"""


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, \
        f"{' '.join(map(str, command))} failed:\n{result.stdout}\n{result.stderr}"
    return result


def test_pip_installs_the_package_into_a_fresh_venv(tmp_path):
    for module in ("venv", "ensurepip", "setuptools", "wheel"):
        assert importlib.util.find_spec(module), \
            f"{sys.executable} has no {module}: run scripts/install-deps.sh " \
            "(python3-venv, python3-setuptools, python3-wheel)"
    # A copy of python/ as it is in git, so the build leaves nothing in the source tree.
    source = tmp_path / "python"
    shutil.copytree(PYTHON_DIR, source,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.egg-info"))
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
    python = str(venv / "bin" / "python")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_"))}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    run([python, "-m", "pip", "install", "--no-index", "--no-build-isolation", "--no-deps",
         str(source)], env=env, cwd=str(tmp_path))

    # Import and export from a folder that is neither the source tree nor the venv.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "export.py").write_text(EXPORT)
    model = elsewhere / "gain.ts"
    out = run([python, "export.py", str(model)], env=env, cwd=str(elsewhere)).stdout.split("\n")
    installed = os.path.realpath(str(venv))
    assert out[0].startswith(installed + os.sep) and out[0].endswith(
        os.path.join("site-packages", "nn_tilde", "__init__.py")), \
        f"nn_tilde imported from {out[0]}"
    version, distribution = out[1].split()
    assert version == distribution, "pyproject's version must be nn_tilde.__version__"

    import torch
    loaded = torch.jit.load(str(model))
    assert loaded.get_methods() == ["forward"] and loaded.get_gain() == (0.5,)
    assert loaded(torch.ones(1, 1, 4)).tolist() == [[[0.5] * 4]]

    # Only the package is installed, not the examples or the model generator.
    site = os.path.dirname(os.path.dirname(out[0]))
    assert not os.path.exists(os.path.join(site, "examples"))
    assert not os.path.exists(os.path.join(site, "tools"))
    assert not os.path.exists(os.path.join(PYTHON_DIR, "nn_tilde.egg-info")), \
        "the install wrote into the source tree"


def test_pyproject_names_the_package():
    path = os.path.join(PYTHON_DIR, "pyproject.toml")
    if sys.version_info >= (3, 11):
        import tomllib
        with open(path, "rb") as handle:
            project = tomllib.load(handle)
        assert project["project"]["name"] == "nn_tilde"
        assert project["tool"]["setuptools"]["packages"] == ["nn_tilde"]
    else:
        pytest.fail("Python >= 3.11 is needed to read pyproject.toml here (tomllib)")

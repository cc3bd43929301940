# SPDX-License-Identifier: MIT
"""Shared pytest fixtures: where the generated models are, and the nn_tilde package path.

Under CTest, NN_TEST_MODELS points at <build>/models, written by the `models` target; a model
missing there is a test failure with the path in the message. Run by hand without that
variable, the models are generated once into a temporary folder.
"""
import os
import subprocess
import sys

import pytest

SOURCE = os.environ.get("NN_TEST_SOURCE",
                        os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
PYTHON_DIR = os.path.join(SOURCE, "python")
FIXTURES = os.environ.get("NN_TEST_FIXTURES",
                          os.path.abspath(os.path.join(SOURCE, "..", "shared", "fixtures",
                                                       "models")))
if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)


def run_generator(out: str) -> None:
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
    subprocess.run([sys.executable, os.path.join(PYTHON_DIR, "tools", "generate_models.py"),
                    "--out", out, "--fixtures", FIXTURES], check=True, env=env,
                   stdout=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> str:
    directory = os.environ.get("NN_TEST_MODELS")
    if directory:
        if not os.path.isdir(directory):
            pytest.fail(f"NN_TEST_MODELS={directory} does not exist: build the `models` target")
        return directory
    directory = str(tmp_path_factory.mktemp("models"))
    run_generator(directory)
    return directory


@pytest.fixture(scope="session")
def model_path(models_dir):
    def find(relative: str) -> str:
        path = os.path.join(models_dir, relative)
        if not os.path.exists(path):
            pytest.fail(f"generated model {path} is missing: build the `models` target")
        return path
    return find

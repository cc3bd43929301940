# SPDX-License-Identifier: MIT
"""nn_tilde: write model files for nn~ (Pure Data, Max) from PyTorch.

A drop-in replacement for IRCAM's `nn_tilde` Python package with the same public API, written
for this project and working on torch 1.13 (Debian) and torch 2.x. See docs/writing-models.md.
"""
from .buffer import Buffer
from .module import TYPE_HASH, Module, type_code

__all__ = ["Buffer", "Module", "TYPE_HASH", "type_code"]
__version__ = "0.1.0"

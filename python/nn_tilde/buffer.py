# SPDX-License-Identifier: MIT
"""Buffer: the value of a buffer attribute (type code 5).

A host audio buffer (a Pd array, a Max buffer~) reaches the model as a float32 tensor
[channels, frames] through the module's generated `set_buffer_attribute`, which calls
`Buffer.set_value`. The class is compiled by TorchScript together with the model, so it only
uses constructs that TorchScript accepts on torch 1.13 and 2.x.

Public API, as model code uses it with IRCAM's package (differences are listed in
docs/writing-models.md):
  fields      value, min_samples, max_samples, sr
  has_value   property: the buffer holds data (value has elements)
  shape()     the shape of value: a torch.Size in Python, List[int] once scripted;
              [0, 0, 0] while empty (the initial value is zeros(0, 0, 0))
  get_value(), set_value(x, sr) -> 0 / -1, init_value(), clear(), from_buffer(other),
  Buffer.copy(other), check_bounds(x), to_str()
"""
from typing import List, Optional

import torch


@torch.jit.script
class Buffer:
    def __init__(self, tensor: Optional[torch.Tensor] = None, min_samples: int = -1,
                 max_samples: int = -1, sr: int = -1):
        # TorchScript wants every field assigned at the top level before any branch.
        self.value = torch.zeros(0, 0, 0)
        if tensor is not None:
            self.value = tensor
        self.min_samples = min_samples
        self.max_samples = max_samples
        self.sr = sr

    def init_value(self) -> None:
        """Puts the buffer back in its initial state: empty (zeros(0, 0, 0)), rate -1."""
        self.value = torch.zeros(0, 0, 0)
        self.sr = -1

    def clear(self) -> None:
        """Same as init_value(): what the generated clear_buffer_attribute calls."""
        self.init_value()

    def check_bounds(self, x: torch.Tensor) -> bool:
        """True when the frame count (last dimension) of x is within the bounds (-1 = none)."""
        frames = x.shape[-1] if x.dim() > 0 else 0
        if self.min_samples != -1 and frames < self.min_samples:
            return False
        if self.max_samples != -1 and frames > self.max_samples:
            return False
        return True

    def set_value(self, x: torch.Tensor, sr: Optional[int] = None) -> int:
        """Store a copy of x (usually [channels, frames]); 0 on success, -1 out of bounds."""
        if not self.check_bounds(x):
            return -1
        self.value = x.clone()
        self.sr = -1 if sr is None else sr
        return 0

    def get_value(self) -> torch.Tensor:
        return self.value

    def from_buffer(self, other: "Buffer") -> None:
        """Makes this buffer a copy of `other`: its data (cloned), bounds and rate."""
        self.value = other.value.clone()
        self.min_samples = other.min_samples
        self.max_samples = other.max_samples
        self.sr = other.sr

    @property
    def has_value(self) -> bool:
        return self.value.numel() != 0

    def shape(self) -> List[int]:
        # Eager Python returns the tensor's torch.Size; TorchScript types it List[int].
        return self.value.shape

    def to_str(self) -> str:
        """One line of text; the host shows it as the attribute's value."""
        if self.value.numel() == 0:
            return "Buffer(empty)"
        lo = float(self.value.min().item())
        hi = float(self.value.max().item())
        dims = ", ".join([str(d) for d in self.value.shape])
        return "Buffer(min=" + str(lo) + ", max=" + str(hi) + ", sr=" + str(self.sr) \
            + ", shape=[" + dims + "])"

    @staticmethod
    def copy(other: "Buffer") -> "Buffer":
        out = Buffer(None, other.min_samples, other.max_samples, other.sr)
        out.from_buffer(other)
        return out

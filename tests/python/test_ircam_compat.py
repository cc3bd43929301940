# SPDX-License-Identifier: MIT
"""What our nn_tilde package does the way IRCAM's 1.6 package does: the order of
registration and self-test, the batch self-test, the names and types of the methods
finish() generates (checked against demo_attributes.ts, a file IRCAM's package exported),
and the Buffer API."""
import os
import re
import sys
import types
from typing import List

import pytest
import torch

from conftest import FIXTURES
from nn_tilde import Buffer, Module


# ---- registration order and the self-test -------------------------------------------------

class ReadsOwnParams(Module):
    """decode() reads decode_params while it runs, as RAVE's decode does."""

    def __init__(self):
        super().__init__()
        self.register_method("decode", 8, 4, 1, 1)

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        ratio = int(self.decode_params[1])
        y = torch.repeat_interleave(z.mean(1, keepdim=True), ratio, dim=-1)
        return y[..., :z.shape[-1] * ratio]


def test_method_reads_its_own_params_during_the_self_test(tmp_path):
    model = ReadsOwnParams()
    assert model.get_methods() == ["decode"]
    path = str(tmp_path / "reads.ts")
    model.export_to_ts(path)
    loaded = torch.jit.load(path)
    z = torch.arange(16.0).reshape(1, 8, 2)
    assert loaded.decode(z).tolist() == [[[7.0] * 4 + [8.0] * 4]]


def test_labels_are_readable_during_the_self_test():
    seen: List[List[str]] = []

    class Labelled(Module):
        def __init__(self):
            super().__init__()
            self.register_method("forward", 1, 1, 2, 1, output_labels=["left", "right"])

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            seen.append(list(self.forward_output_labels))
            return torch.cat([x, x], 1)

    Labelled()
    assert seen == [["left", "right"]]


class Broken(Module):
    def __init__(self):
        super().__init__()
        self.register_attribute("gain", 1.0)
        self.register_method("forward", 1, 1, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gain[0]

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], 3, -1)  # 8192 frames do not split in 3 channels


def test_failing_self_test_gives_a_clear_message_and_leaves_the_module_usable(tmp_path):
    model = Broken()
    with pytest.raises(ValueError) as caught:
        model.register_method("encode", 1, 1, 4, 64,
                              output_labels=["a", "b", "c", "d"])
    message = str(caught.value)
    assert message.startswith("nn_tilde: method 'encode' failed its self-test on input "
                              "[1, 1, 8192]: RuntimeError: ")
    assert "shape '[1, 3, -1]' is invalid" in message
    # As IRCAM's package: what was registered before the test stays, the method is not listed.
    assert model.encode_params.tolist() == [1, 1, 4, 64]
    assert model.encode_output_labels == ["a", "b", "c", "d"]
    assert model.get_methods() == ["forward"]
    path = str(tmp_path / "broken.ts")
    model.export_to_ts(path)
    loaded = torch.jit.load(path)
    assert loaded.get_methods() == ["forward"]
    assert loaded.set_gain(2.0) == 0
    assert loaded(torch.ones(1, 1, 4)).tolist() == [[[2.0] * 4]]


# ---- the second self-test, with several examples -------------------------------------------

class BatchProbe(Module):
    """Records the batch sizes it is called with; refuses more than `limit` examples."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit
        self.calls: List[int] = []
        self.register_method("forward", 2, 1, 2, 1)

    @torch.jit.ignore
    def record(self, batch: int) -> None:
        self.calls.append(batch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.record(x.shape[0])
        if x.shape[0] > self.limit:
            raise RuntimeError("the cache holds " + str(self.limit) + " examples")
        return x


@pytest.fixture
def cached_conv(monkeypatch):
    """Stands for RAVE's cached_conv package (not installed here): its MAX_BATCH_SIZE."""
    def install(max_batch_size):
        module = types.ModuleType("cached_conv")
        module.MAX_BATCH_SIZE = max_batch_size
        monkeypatch.setitem(sys.modules, "cached_conv", module)
    return install


def test_no_batch_test_without_cached_conv(monkeypatch):
    monkeypatch.setitem(sys.modules, "cached_conv", None)  # import cached_conv fails
    assert BatchProbe(limit=1).calls == [1]


@pytest.mark.parametrize("max_batch,calls", [(64, [1, 4]), (4, [1, 4]), (2, [1, 2]), (1, [1])])
def test_batch_test_follows_cached_conv(cached_conv, max_batch, calls):
    cached_conv(max_batch)
    assert BatchProbe(limit=64).calls == calls


def test_failing_batch_test_says_so(cached_conv):
    cached_conv(64)
    with pytest.raises(ValueError, match=re.escape(
            "nn_tilde: method 'forward' failed its self-test with a batch of 4 examples on "
            "input [4, 2, 8192]: RuntimeError: the cache holds 1 examples")):
        BatchProbe(limit=1)


def test_batch_test_checks_the_output_batch(cached_conv):
    cached_conv(64)

    class FirstOnly(Module):
        def __init__(self):
            super().__init__()
            self.register_method("forward", 1, 1, 1, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x[:1]

    with pytest.raises(ValueError, match=r"batch of 4 examples .*expected batch 4, got 1"):
        FirstOnly()


# ---- what finish() generates, against a file exported by IRCAM's package -------------------

class AttributeFoo(Module):
    """Our re-creation of IRCAM's demo_attributes model (same registrations)."""

    def __init__(self):
        super().__init__()
        self.register_attribute("attr_int", 0)
        self.register_attribute("attr_float", 0.)
        self.register_attribute("attr_str", "apple")
        self.register_attribute("attr_enum", "horse")
        self.register_attribute("attr_bool", False)
        self.register_attribute("attr_list", (0, "a", 0., False))
        self.register_method("forward", 1, 1, 2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros(x.shape[0], 2, x.shape[-1])


def schemas(module: torch.jit.ScriptModule) -> dict:
    out = {}
    for name in module._c._method_names():
        # Drop the class name (`__torch__.AttributeFoo self`).
        schema = str(getattr(module, name).schema)
        out[name] = re.sub(r"\(__torch__\.\S+ self", "(self", schema)
    return out


def test_generated_methods_match_ircam_export(tmp_path):
    fixture = os.path.join(FIXTURES, "demo_attributes.ts")
    assert os.path.exists(fixture), f"{fixture} is missing (see ../shared/fixtures/models)"
    theirs = schemas(torch.jit.load(fixture))
    path = str(tmp_path / "ours.ts")
    AttributeFoo().export_to_ts(path)
    ours = schemas(torch.jit.load(path))
    assert sorted(ours) == sorted(theirs), "not the same methods as IRCAM's file"
    generated = ["get_methods", "get_attributes", "get_buffer_attributes",
                 "set_buffer_attribute", "clear_buffer_attribute", "is_buffer_empty",
                 "get_sample_rate", "set_sample_rate"]
    generated += [f"{kind}_attr_{a}" for a in ("int", "float", "str", "enum", "bool", "list")
                  for kind in ("get", "set")]
    # The fixture's set_attr_enum and set_attr_list are hand-written (other argument names).
    generated = [g for g in generated if g not in ("set_attr_enum", "set_attr_list")]
    for name in generated:
        assert name in theirs, f"IRCAM's file has no {name}"
        assert ours.get(name) == theirs[name], \
            f"{name}: ours {ours.get(name)}, IRCAM {theirs[name]}"
    assert ours["set_attr_list"] == ("set_attr_list(self, int attr_list0, str attr_list1, "
                                     "float attr_list2, bool attr_list3) -> int")
    assert ours["set_buffer_attribute"] == ("set_buffer_attribute(self, str buffer_name, "
                                            "Tensor buffer, int sr) -> int")
    assert ours["set_sample_rate"] == "set_sample_rate(self, int? sample_rate) -> NoneType"
    # The same bookkeeping attributes, with the same types.
    their_file = torch.jit.load(fixture)._c
    our_file = torch.jit.load(path)._c
    for attribute in ("_methods", "_attributes", "_buffer_attributes", "_ready", "sr",
                      "forward_input_labels", "forward_output_labels", "attr_list"):
        assert type(our_file.getattr(attribute)) is type(their_file.getattr(attribute)), attribute
    assert our_file.getattr("_methods") == ["forward"] and our_file.getattr("_ready") is True
    assert not our_file.hasattr("_nn_registry"), "export-time bookkeeping leaked into the file"


# ---- Buffer --------------------------------------------------------------------------------

def test_buffer_api_eager():
    buffer = Buffer(None, 2, 16, -1)
    assert buffer.shape() == torch.Size([0, 0, 0]) and isinstance(buffer.shape(), torch.Size)
    assert buffer.set_value(torch.ones(3, 8), 44100) == 0
    assert buffer.has_value and buffer.shape() == torch.Size([3, 8])
    other = Buffer()
    other.from_buffer(buffer)
    assert (other.min_samples, other.max_samples, other.sr) == (2, 16, 44100)
    assert torch.equal(other.get_value(), buffer.get_value())
    assert other.value.data_ptr() != buffer.value.data_ptr(), "from_buffer must copy the data"
    buffer.init_value()
    assert not buffer.has_value and buffer.sr == -1 and buffer.shape() == torch.Size([0, 0, 0])
    assert (buffer.min_samples, buffer.max_samples) == (2, 16), "init_value keeps the bounds"
    assert other.has_value
    assert Buffer.copy(other).to_str() == "Buffer(min=1.0, max=1.0, sr=44100, shape=[3, 8])"


class UsesBuffer(Module):
    def __init__(self):
        super().__init__()
        self.register_attribute("sample", Buffer(None, 4, 64))
        self.register_method("forward", 1, 1, 3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        buf = self.sample[0]
        out = torch.zeros(x.shape[0], 3, x.shape[-1])
        if buf.has_value:
            shape = buf.shape()
            out[:, 0] = float(shape[0])
            out[:, 1] = float(shape[-1])
            out[:, 2] = float(buf.sr)
        return out

    @torch.jit.export
    def reset(self, x: torch.Tensor) -> torch.Tensor:
        self.sample[0].init_value()
        return x


def test_buffer_api_scripted(tmp_path):
    model = UsesBuffer()
    model.register_method("reset", 1, 1, 1, 1)
    path = str(tmp_path / "buffer.ts")
    model.export_to_ts(path)
    loaded = torch.jit.load(path)
    x = torch.zeros(1, 1, 2)
    assert loaded(x).tolist() == [[[0.0] * 2] * 3]
    assert loaded.set_buffer_attribute("sample#0", torch.rand(2, 32), 22050) == 0
    assert loaded.set_sample("sample#0") == 0
    assert loaded(x).tolist() == [[[2.0] * 2, [32.0] * 2, [22050.0] * 2]]
    loaded.reset(x)
    assert loaded.is_buffer_empty("sample#0")
    assert loaded(x).tolist() == [[[0.0] * 2] * 3]

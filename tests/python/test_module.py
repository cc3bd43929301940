# SPDX-License-Identifier: MIT
"""Tests of every public call of the nn_tilde package, in Python and after scripting.

Each model is exported, loaded back with torch.jit.load (what libtorch sees) and checked
against the nn~ contract; wrong use must raise an error that says what is wrong.
"""
import copy
import io
import os
from typing import List, Tuple

import pytest
import torch

import nn_tilde
from nn_tilde import Buffer, Module, TYPE_HASH


def roundtrip(model: torch.nn.Module, tmp_path, name: str = "model.ts") -> torch.jit.ScriptModule:
    path = os.path.join(str(tmp_path), name)
    model.export_to_ts(path)
    return torch.jit.load(path)


class Identity(Module):
    def __init__(self, **registration):
        super().__init__()
        self.register_method("forward", 1, 1, 1, 1, **registration)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


class Shaped(Module):
    """A method whose output can be made wrong in one chosen way."""

    def __init__(self, flaw: str, out_channels: int = 1, out_ratio: int = 1):
        super().__init__()
        self.flaw = flaw
        self.out_channels = out_channels
        self.out_ratio = out_ratio

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.zeros(x.shape[0], self.out_channels, x.shape[-1] // self.out_ratio)
        if self.flaw == "ndim":
            return y[0]
        if self.flaw == "batch":
            return torch.cat([y, y])
        if self.flaw == "channels":
            return torch.cat([y, y], dim=1)
        if self.flaw == "length":
            return y[..., 1:]
        if self.flaw == "dtype":
            return y.double()
        if self.flaw == "raises":
            raise RuntimeError("boom")
        if self.flaw == "not_a_tensor":
            return [y]
        return y


class AllTypes(Module):
    def __init__(self):
        super().__init__()
        self.register_attribute("flag", False)
        self.register_attribute("count", 3)
        self.register_attribute("level", 0.25)
        self.register_attribute("name", "x")
        self.register_attribute("table", torch.arange(4.0))
        self.register_attribute("sample", Buffer(None, 4, 64))
        self.register_attribute("mixed", (1, "two", 3.0, True, Buffer()))
        self.register_method("forward", 1, 1, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        extra = 0.0
        if self.sample[0].has_value:
            extra = float(self.sample[0].get_value().sum().item())
        return x + float(self.count[0]) + extra


def test_type_hash_is_the_contract():
    assert TYPE_HASH == {bool: 0, int: 1, float: 2, str: 3, torch.Tensor: 4, Buffer: 5}
    assert nn_tilde.type_code(True) == 0 and nn_tilde.type_code(1) == 1
    assert nn_tilde.type_code(torch.nn.Parameter(torch.zeros(1))) == 4


def test_register_method_params_and_default_labels(tmp_path):
    model = Identity()
    assert model.forward_params.dtype == torch.int64
    assert model.forward_params.tolist() == [1, 1, 1, 1]
    assert model.forward_input_labels == ["(signal) model input 0"]
    assert model.forward_output_labels == ["(signal) model output 0"]
    loaded = roundtrip(model, tmp_path)
    assert loaded.get_methods() == ["forward"]
    assert loaded.forward_params.dtype == torch.int64
    assert loaded.forward_input_labels == ["(signal) model input 0"]
    assert loaded.forward_output_labels == ["(signal) model output 0"]


def test_register_method_custom_labels_and_order(tmp_path):
    class Two(Module):
        def __init__(self):
            super().__init__()
            self.register_method("second", 2, 4, 3, 8, input_labels=["a", "b"],
                                 output_labels=("x", "y", "z"))
            self.register_method("forward", 1, 1, 1, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x

        @torch.jit.export
        def second(self, x: torch.Tensor) -> torch.Tensor:
            return torch.zeros(x.shape[0], 3, x.shape[-1] * 4 // 8)

    loaded = roundtrip(Two(), tmp_path)
    assert loaded.get_methods() == ["second", "forward"]
    assert loaded.second_params.tolist() == [2, 4, 3, 8]
    assert loaded.second_input_labels == ["a", "b"]
    assert loaded.second_output_labels == ["x", "y", "z"]


@pytest.mark.parametrize("side", ["input_labels", "output_labels"])
def test_wrong_label_count_is_refused(side):
    with pytest.raises(ValueError, match=r"expected 1 .* labels.*got 2"):
        Identity(**{side: ["a", "b"]})


@pytest.mark.parametrize("flaw,message", [
    ("ndim", "3 dimensions"), ("batch", "batch 1"), ("channels", "1 output channels"),
    ("length", "8192 output frames"), ("dtype", "float32"), ("raises", "boom"),
    ("not_a_tensor", "must return a Tensor")])
def test_self_test_reports_wrong_outputs(flaw, message):
    model = Shaped(flaw)
    with pytest.raises(ValueError, match=message):
        model.register_method("forward", 1, 1, 1, 1)
    # As IRCAM's package: params and labels were registered before the test, the method is
    # not listed.
    assert model.forward_params.tolist() == [1, 1, 1, 1]
    assert model.get_methods() == []


def test_self_test_uses_ratios_and_buffer_size():
    model = Shaped("none", out_channels=2, out_ratio=4)
    model.register_method("forward", 1, 2, 2, 8, test_buffer_size=1024)
    with pytest.raises(ValueError, match="128 output frames"):
        Shaped("length", out_ratio=2).register_method("forward", 1, 1, 1, 8,
                                                      test_buffer_size=1024)


@pytest.mark.parametrize("size,message", [(1000, "not a multiple of its ratios"),
                                          (0, "positive int"), (8192.0, "positive int")])
def test_bad_test_buffer_size_is_refused_before_registering(size, message):
    model = Shaped("none", out_ratio=16)
    with pytest.raises(ValueError, match=message):
        model.register_method("forward", 1, 1, 1, 16, test_buffer_size=size)
    assert not hasattr(model, "forward_params") and model.get_methods() == []


def test_self_test_can_be_skipped():
    model = Shaped("dtype")
    model.register_method("forward", 1, 1, 1, 1, test_method=False)
    assert model.get_methods() == ["forward"]


@pytest.mark.parametrize("args", [(0, 1, 1, 1), (1, 0, 1, 1), (1, 1, -1, 1), (1, 1, 1, 1.5)])
def test_bad_method_dimensions_are_refused(args):
    with pytest.raises(ValueError, match="positive int"):
        Shaped("none").register_method("forward", *args)


def test_integral_dimensions_from_numpy_and_tensors_are_accepted():
    import numpy  # a dependency of torch
    model = Shaped("none", out_ratio=4)
    model.register_method("forward", numpy.int64(1), torch.tensor(1), 1, numpy.prod([2, 2]))
    assert model.forward_params.tolist() == [1, 1, 1, 4]
    assert all(type(v) is int for v in model.forward_params.tolist())
    with pytest.raises(ValueError, match="positive int"):
        Shaped("none").register_method("forward", True, 1, 1, 1)


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="not a method"):
        Shaped("none").register_method("missing", 1, 1, 1, 1)


def test_register_attribute_codes_and_storage():
    model = AllTypes()
    assert model.get_attributes() == ["flag", "count", "level", "name", "table", "sample",
                                      "mixed"]
    codes = {a: getattr(model, a + "_params").tolist() for a in model.get_attributes()}
    assert codes == {"flag": [0], "count": [1], "level": [2], "name": [3], "table": [4],
                     "sample": [5], "mixed": [1, 3, 2, 0, 5]}
    assert all(getattr(model, a + "_params").dtype == torch.int64
               for a in model.get_attributes())
    assert model.count == (3,) and model.mixed[:4] == (1, "two", 3.0, True)
    assert model.get_buffer_attributes() == ["sample#0", "mixed#4"]


def test_reserved_attribute_name_sr():
    with pytest.raises(ValueError, match="'sr' is reserved"):
        Identity().register_attribute("sr", 44100)


@pytest.mark.parametrize("value,error", [([], ValueError), ((), ValueError),
                                         (None, TypeError), ({"a": 1}, TypeError),
                                         ((1, [2]), TypeError)])
def test_bad_attribute_values(value, error):
    with pytest.raises(error):
        Identity().register_attribute("thing", value)


def test_attribute_named_like_a_method_is_refused():
    with pytest.raises(ValueError, match="name of a method"):
        Identity().register_attribute("forward", 1.0)


def test_generated_getters_and_setters_eager():
    model = AllTypes()
    assert model.get_flag() == (False,)
    assert model.get_sample() == ("Buffer(empty)",)
    assert model.set_count(7) == 0 and model.get_count() == (7,)
    assert model.set_level(1) == 0 and model.get_level() == (1.0,)
    assert isinstance(model.get_level()[0], float)


def test_generated_getters_and_setters_scripted(tmp_path):
    loaded = roundtrip(AllTypes(), tmp_path)
    assert loaded.get_flag() == (False,)
    assert loaded.set_flag(True) == 0 and loaded.get_flag() == (True,)
    assert loaded.set_count(-5) == 0 and loaded.get_count() == (-5,)
    assert loaded.set_level(0.75) == 0 and loaded.get_level() == (0.75,)
    assert loaded.set_name("hello") == 0 and loaded.get_name() == ("hello",)
    assert torch.equal(loaded.get_table()[0], torch.arange(4.0))
    assert loaded.set_table(torch.ones(9)) == 0
    assert torch.equal(loaded.get_table()[0], torch.ones(9))
    assert loaded.set_mixed(5, "six", 7.5, False, "mixed#4") == 0
    assert loaded.get_mixed() == (5, "six", 7.5, False, "Buffer(empty)")
    assert loaded(torch.zeros(1, 1, 4)).tolist() == [[[-5.0] * 4]]


def test_custom_getters_and_setters_are_kept(tmp_path):
    class Custom(Module):
        def __init__(self):
            super().__init__()
            self.register_attribute("mode", "a")
            self.register_attribute("gain", 1.0)
            self.register_method("forward", 1, 1, 1, 1)

        @torch.jit.export
        def get_gain(self) -> float:
            return self.gain[0] * 2.0

        @torch.jit.export
        def set_mode(self, mode: str) -> int:
            if mode != "a" and mode != "b":
                return -1
            self.mode = (mode,)
            return 0

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * self.gain[0]

    loaded = roundtrip(Custom(), tmp_path)
    assert loaded.get_gain() == 2.0
    assert loaded.set_gain(3.0) == 0 and loaded.get_gain() == 6.0
    assert loaded.set_mode("z") == -1 and loaded.get_mode() == ("a",)
    assert loaded.set_mode("b") == 0 and loaded.get_mode() == ("b",)


def test_buffer_defaults_and_text():
    empty = Buffer()
    assert (empty.min_samples, empty.max_samples, empty.sr) == (-1, -1, -1)
    assert not empty.has_value and empty.shape() == torch.Size([0, 0, 0])
    assert empty.get_value().numel() == 0
    assert empty.to_str() == "Buffer(empty)"
    full = Buffer(torch.tensor([[-0.5, 0.5]]), sr=48000)
    assert full.has_value and full.shape() == torch.Size([1, 2])
    assert full.to_str() == "Buffer(min=-0.5, max=0.5, sr=48000, shape=[1, 2])"
    assert "\n" not in full.to_str()


def test_buffer_set_value_bounds_on_frames():
    buffer = Buffer(None, min_samples=16, max_samples=64)
    assert buffer.set_value(torch.zeros(2, 15), 44100) == -1
    assert buffer.set_value(torch.zeros(2, 65), 44100) == -1
    assert not buffer.has_value
    data = torch.rand(2, 16)
    assert buffer.set_value(data, 44100) == 0
    assert buffer.sr == 44100 and buffer.shape() == torch.Size([2, 16])
    data.zero_()
    assert buffer.get_value().sum() > 0, "set_value must copy the host data"
    assert buffer.set_value(torch.zeros(1, 64)) == 0 and buffer.sr == -1
    unbounded = Buffer()
    assert unbounded.set_value(torch.zeros(1, 1)) == 0
    assert unbounded.set_value(torch.zeros(1, 100000)) == 0


def test_buffer_copy_and_clear():
    original = Buffer(torch.ones(1, 8), 2, 10, 22050)
    copy = Buffer.copy(original)
    original.clear()
    assert not original.has_value and original.sr == -1
    assert copy.has_value and copy.sr == 22050 and copy.shape() == torch.Size([1, 8])
    assert (copy.min_samples, copy.max_samples) == (2, 10)


def test_buffer_attribute_api(tmp_path):
    for model in (AllTypes(), roundtrip(AllTypes(), tmp_path)):
        assert model.get_buffer_attributes() == ["sample#0", "mixed#4"]
        assert model.is_buffer_empty("sample#0")
        assert model.is_buffer_empty("unknown#0")
        assert model.set_buffer_attribute("sample#0", torch.ones(2, 3), 48000) == -1
        assert model.set_buffer_attribute("sample#0", torch.ones(2, 65), 48000) == -1
        assert model.set_buffer_attribute("unknown#0", torch.ones(2, 8), 48000) == -1
        assert model.is_buffer_empty("sample#0")
        assert model.set_buffer_attribute("sample#0", torch.ones(2, 8), 48000) == 0
        assert not model.is_buffer_empty("sample#0")
        assert model.set_sample("sample#0") == 0
        assert model.get_sample() == ("Buffer(min=1.0, max=1.0, sr=48000, shape=[2, 8])",) \
            or model.get_sample() == ("Buffer(min=1., max=1., sr=48000, shape=[2, 8])",)
        assert model(torch.zeros(1, 1, 2)).tolist() == [[[19.0, 19.0]]]
        # IRCAM's signature: clear_buffer_attribute(buffer_name: str) -> None.
        assert model.clear_buffer_attribute("sample#0") is None
        assert model.is_buffer_empty("sample#0")
        assert model.clear_buffer_attribute("unknown#0") is None
        assert model.is_buffer_empty("mixed#4")
        assert model.set_buffer_attribute("mixed#4", torch.ones(1, 1), 8000) == 0
        assert not model.is_buffer_empty("mixed#4")


def test_model_without_attributes_has_empty_lists(tmp_path):
    loaded = roundtrip(Identity(), tmp_path)
    assert loaded.get_attributes() == []
    assert loaded.get_buffer_attributes() == []
    assert loaded.set_buffer_attribute("x#0", torch.zeros(1, 4), 44100) == -1
    assert loaded.is_buffer_empty("x#0")


def test_sample_rate(tmp_path):
    unset = Identity()
    assert unset.get_sample_rate() == -1
    loaded = roundtrip(unset, tmp_path)
    assert loaded.get_sample_rate() == -1
    # IRCAM's signature: set_sample_rate(sample_rate: Optional[int]) -> None.
    assert loaded.set_sample_rate(48000) is None and loaded.get_sample_rate() == 48000
    loaded.set_sample_rate(0)
    loaded.set_sample_rate(None)
    assert loaded.get_sample_rate() == 48000

    class Rated(Module):
        extra: List[int]  # a subclass annotation must not hide `sr: Optional[int]`

        def __init__(self):
            super().__init__(sr=44100)
            self.extra = [1]
            self.register_method("forward", 1, 1, 1, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * float(self.get_sample_rate())

    rated = roundtrip(Rated(), tmp_path, "rated.ts")
    assert rated.get_sample_rate() == 44100
    rated.set_sample_rate(96000)
    assert rated(torch.ones(1, 1, 1)).item() == 96000.0
    with pytest.raises(ValueError, match="sr must be"):
        Module(sr=-3)


def test_export_to_ts_and_plain_script_agree(tmp_path):
    path = os.path.join(str(tmp_path), "exported.ts")
    scripted = AllTypes().export_to_ts(path)
    assert os.path.getsize(path) > 0
    assert isinstance(scripted, torch.jit.ScriptModule)
    direct = torch.jit.script(AllTypes())
    for name in ("get_methods", "get_attributes", "get_buffer_attributes"):
        assert getattr(direct, name)() == getattr(torch.jit.load(path), name)()
    assert not torch.jit.load(path).training


def test_finish_is_idempotent(tmp_path):
    model = AllTypes()
    model.finish()
    model.finish()
    assert type(model).__name__ == "AllTypes"
    assert isinstance(model, AllTypes) and isinstance(model, Module)
    assert roundtrip(model, tmp_path).get_methods() == ["forward"]


def test_two_instances_keep_their_own_registrations(tmp_path):
    class Flexible(Module):
        def __init__(self, names: Tuple[str, ...]):
            super().__init__()
            for name in names:
                self.register_attribute(name, 1.0)
            self.register_method("forward", 1, 1, 1, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x

    first = roundtrip(Flexible(("a",)), tmp_path, "first.ts")
    second = roundtrip(Flexible(("b", "c")), tmp_path, "second.ts")
    assert first.get_attributes() == ["a"]
    assert second.get_attributes() == ["b", "c"]
    assert second.set_c(2.0) == 0 and second.get_c() == (2.0,)


def test_pickle_and_deepcopy_keep_the_generated_methods(tmp_path):
    model = AllTypes()
    model.set_count(11)
    copied = copy.deepcopy(model)
    assert type(copied).__name__ == "AllTypes" and copied.get_count() == (11,)
    stream = io.BytesIO()
    torch.save(model, stream)
    stream.seek(0)
    loaded = torch.load(stream)
    assert isinstance(loaded, AllTypes) and loaded.get_count() == (11,)
    assert loaded.get_buffer_attributes() == ["sample#0", "mixed#4"]
    assert roundtrip(loaded, tmp_path).get_count() == (11,)

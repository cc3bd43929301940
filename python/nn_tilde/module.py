# SPDX-License-Identifier: MIT
"""nn_tilde.Module: a torch.nn.Module that exports itself as an nn~ model file.

A model author subclasses Module, registers processing methods and attributes in __init__ and
calls export_to_ts(path). Registration records what nn~ reads from the file (the contract in
docs/writing-models.md): `<m>_params` and label lists per method, a tuple and `<a>_params` type
codes per attribute. The methods nn~ calls by name (get_methods, get_attributes, the buffer
API, and every get_<a>/set_<a> the author did not write) depend on what was registered, so they
are generated as Python source, compiled with a registered line cache entry so that
torch.jit.script can read their source, and attached to a per-instance subclass of the
author's class. The subclass is rebuilt after every registration, so the instance is always
scriptable, whether the author calls finish(), export_to_ts() or torch.jit.script() directly.

What is generated has the names and types of IRCAM's nn_tilde 1.6 package: the lists live in
the attributes `_methods`, `_attributes` and `_buffer_attributes`, the buffer API takes
`buffer_name`, `set_sample_rate(sample_rate: Optional[int]) -> None`, and the generated setter
of attribute `a` takes `a0, a1, ...`. A method's `<m>_params` and labels are registered before
its self-test, so the method may read them while it runs.
"""
import itertools
import keyword
import linecache
import operator
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch

from .buffer import Buffer

TYPE_HASH = {bool: 0, int: 1, float: 2, str: 3, torch.Tensor: 4, Buffer: 5}

# Annotation text of each type code inside generated methods.
_TYPE_SOURCE = {0: "bool", 1: "int", 2: "float", 3: "str", 4: "Tensor", 5: "Buffer"}
_RESERVED_ATTRIBUTES = ("sr",)
_source_counter = itertools.count()


def type_code(value: Any) -> int:
    """The nn~ type code of an attribute default value (TYPE_HASH, bool before int)."""
    for py_type in (bool, int, float, str):
        if type(value) is py_type:
            return TYPE_HASH[py_type]
    if isinstance(value, torch.Tensor):
        return TYPE_HASH[torch.Tensor]
    if isinstance(value, Buffer):
        return TYPE_HASH[Buffer]
    raise TypeError(
        f"nn_tilde: attribute values must be bool, int, float, str, torch.Tensor or "
        f"nn_tilde.Buffer, got {type(value).__name__} ({value!r})")


class _Registry:
    """What the author registered, in registration order (plain Python, not scripted)."""

    def __init__(self) -> None:
        self.methods: List[str] = []
        self.attributes: List[str] = []
        self.codes: Dict[str, List[int]] = {}
        self.buffers: List[Tuple[str, str, int]] = []  # (element name "a#i", attribute, index)
        self.finished = False


def _compile_functions(source: str, names: Sequence[str]) -> Dict[str, Any]:
    """Compiles generated source so that inspect (hence TorchScript) can read it back."""
    filename = f"<nn_tilde generated {next(_source_counter)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: Dict[str, Any] = {
        "__name__": "nn_tilde._generated", "torch": torch, "Tensor": torch.Tensor,
        "List": List, "Tuple": Tuple, "Optional": Optional, "Buffer": Buffer,
    }
    exec(compile(source, filename, "exec"), namespace)
    return {name: namespace[name] for name in names}


def _new_instance(cls: type) -> Any:
    return cls.__new__(cls)


class Module(torch.nn.Module):
    """Base class of nn~ models; see the module docstring and docs/writing-models.md."""

    sr: Optional[int]
    _methods: List[str]
    _attributes: List[str]
    _buffer_attributes: List[str]
    _ready: bool
    # The registry is export-time bookkeeping: keep it out of the model file.
    __jit_ignored_attributes__ = ["_nn_registry"]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # TorchScript reads only the nearest class's __annotations__; merge those of every
        # nn_tilde class in the hierarchy so `sr: Optional[int]` is never lost.
        super().__init_subclass__(**kwargs)
        merged: Dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            if isinstance(klass, type) and issubclass(klass, Module):
                merged.update(klass.__dict__.get("__annotations__", {}))
        cls.__annotations__ = merged

    def __init__(self, sr: Optional[int] = None) -> None:
        super().__init__()
        if sr is not None and (type(sr) is not int or sr <= 0):
            raise ValueError(f"nn_tilde: sr must be a positive int or None, got {sr!r}")
        self.sr = sr
        self._methods = []
        self._attributes = []
        self._buffer_attributes = []
        self._ready = False
        self._nn_registry = _Registry()
        self._nn_rebuild()

    # ---- registration ---------------------------------------------------------------------

    def register_method(self, method_name: str, in_channels: int, in_ratio: int,
                        out_channels: int, out_ratio: int,
                        input_labels: Optional[Sequence[str]] = None,
                        output_labels: Optional[Sequence[str]] = None,
                        test_method: bool = True, test_buffer_size: int = 8192) -> None:
        """Declares `method_name(x: Tensor) -> Tensor` as an nn~ processing method.

        Input [batch, in_channels, B // in_ratio], output [batch, out_channels,
        B // out_ratio], float32. `<method_name>_params` and the labels are registered first,
        so the method can read them. With test_method, the method is then called on zeros of
        test_buffer_size samples (batch 1, then a batch of several examples when the model's
        cached convolutions allow it, see _nn_test_batches); a failure raises a ValueError
        that says what is wrong, and leaves the params and labels registered but the method
        out of get_methods().
        """
        self._nn_check_name(method_name, "method")
        method = getattr(self, method_name, None)
        if not callable(method):
            raise ValueError(f"nn_tilde: '{method_name}' is not a method of "
                             f"{type(self).__name__}")
        in_channels, in_ratio, out_channels, out_ratio = (
            self._nn_dimension(method_name, label, value)
            for label, value in (("in_channels", in_channels), ("in_ratio", in_ratio),
                                 ("out_channels", out_channels), ("out_ratio", out_ratio)))
        inputs = self._nn_labels(method_name, "input", input_labels, in_channels)
        outputs = self._nn_labels(method_name, "output", output_labels, out_channels)
        if test_method:
            test_buffer_size = self._nn_dimension(method_name, "test_buffer_size",
                                                  test_buffer_size)
            if test_buffer_size % in_ratio or test_buffer_size % out_ratio:
                raise ValueError(f"nn_tilde: method '{method_name}': test_buffer_size "
                                 f"{test_buffer_size} is not a multiple of its ratios "
                                 f"({in_ratio}, {out_ratio})")

        params = torch.tensor([in_channels, in_ratio, out_channels, out_ratio],
                              dtype=torch.int64)
        self.register_buffer(f"{method_name}_params", params)
        setattr(self, f"{method_name}_input_labels", inputs)
        setattr(self, f"{method_name}_output_labels", outputs)
        if test_method:
            for batch in self._nn_test_batches():
                self._nn_test_method(method_name, in_channels, in_ratio, out_channels,
                                     out_ratio, test_buffer_size, batch)
        if method_name not in self._nn_registry.methods:
            self._nn_registry.methods.append(method_name)
        self._nn_rebuild()

    def register_attribute(self, attribute_name: str, values: Any) -> None:
        """Declares an attribute from a default value or a tuple (or list) of defaults.

        Each element's Python type gives its type code (TYPE_HASH). The values are stored as
        a tuple in `self.<attribute_name>`; generated get_/set_ methods read and replace it.
        """
        self._nn_check_name(attribute_name, "attribute")
        if attribute_name in _RESERVED_ATTRIBUTES:
            raise ValueError(f"nn_tilde: attribute name '{attribute_name}' is reserved "
                             f"(pass the sample rate as Module(sr=...))")
        if callable(getattr(type(self), attribute_name, None)):
            raise ValueError(f"nn_tilde: attribute '{attribute_name}' has the name of a method "
                             f"of {type(self).__name__}")
        elements = list(values) if isinstance(values, (tuple, list)) else [values]
        if not elements:
            raise ValueError(f"nn_tilde: attribute '{attribute_name}' needs at least one "
                             f"default value")
        codes = [type_code(v) for v in elements]

        registry = self._nn_registry
        setattr(self, attribute_name, tuple(elements))
        self.register_buffer(f"{attribute_name}_params", torch.tensor(codes, dtype=torch.int64))
        if attribute_name not in registry.attributes:
            registry.attributes.append(attribute_name)
        registry.codes[attribute_name] = codes
        registry.buffers = [b for b in registry.buffers if b[1] != attribute_name]
        registry.buffers += [(f"{attribute_name}#{i}", attribute_name, i)
                             for i, code in enumerate(codes) if code == TYPE_HASH[Buffer]]
        self._nn_rebuild()

    def finish(self) -> None:
        """Generates the missing getters, setters and buffer methods (idempotent)."""
        self._nn_rebuild()
        self._nn_registry.finished = True
        self._ready = True

    def export_to_ts(self, path: str) -> torch.jit.ScriptModule:
        """Scripts the module in eval mode and saves it to `path`; returns the script."""
        self.finish()
        self.eval()
        scripted = torch.jit.script(self)
        scripted.save(str(path))
        return scripted

    def __prepare_scriptable__(self) -> "Module":
        # torch.jit.script calls this hook: a plain torch.jit.script(model) also works.
        self.finish()
        return self

    def __reduce_ex__(self, protocol: Any) -> Any:
        # The generated subclass cannot be found by name when unpickling: pickle (and
        # copy.deepcopy) the instance as the author's class, and __setstate__ rebuilds it.
        reduced = super().__reduce_ex__(protocol)
        cls = type(self)
        if cls.__dict__.get("_nn_generated", False) and isinstance(reduced, tuple):
            reduced = (_new_instance, (cls.__bases__[0],)) + reduced[2:]
        return reduced

    def __setstate__(self, state: Dict[str, Any]) -> None:
        super().__setstate__(state)
        if "_nn_registry" in state:
            self._nn_rebuild()

    # ---- sample rate (scripted as written) ------------------------------------------------

    @torch.jit.export
    def get_sample_rate(self) -> int:
        """The rate set by the host or at construction, -1 when unknown."""
        sr = self.sr
        if sr is None:
            return -1
        return sr

    @torch.jit.export
    def set_sample_rate(self, sample_rate: Optional[int]) -> None:
        """Called by the host at load and whenever its rate changes (IRCAM's signature).

        A rate that is not positive is ignored: get_sample_rate() keeps its last value."""
        if sample_rate is not None:
            if sample_rate > 0:
                self.sr = sample_rate

    # ---- internals ------------------------------------------------------------------------

    @staticmethod
    def _nn_check_name(name: Any, what: str) -> None:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"nn_tilde: {what} name must be a Python identifier, got {name!r}")

    @staticmethod
    def _nn_dimension(method: str, label: str, value: Any) -> int:
        # Export scripts often compute ratios with numpy or from tensor shapes: accept any
        # integral number, but not bools, floats or strings.
        try:
            number = operator.index(value)
        except TypeError:
            number = 0
        if isinstance(value, bool) or number <= 0:
            raise ValueError(f"nn_tilde: method '{method}': {label} must be a positive int, "
                             f"got {value!r}")
        return int(number)

    @staticmethod
    def _nn_labels(method: str, side: str, labels: Optional[Sequence[str]],
                   count: int) -> List[str]:
        if labels is None:
            return [f"(signal) model {side} {i}" for i in range(count)]
        labels = list(labels)
        if len(labels) != count:
            raise ValueError(f"nn_tilde: method '{method}': expected {count} {side} labels "
                             f"({side} channels), got {len(labels)}")
        if not all(isinstance(label, str) for label in labels):
            raise ValueError(f"nn_tilde: method '{method}': {side} labels must be str")
        return labels

    @staticmethod
    def _nn_test_batches() -> List[int]:
        """Batch sizes of the self-tests: 1, then several examples (what mc.nn~ and mcs.nn~
        send) when the streaming layers allow it. As in IRCAM's package, that is decided by
        cached_conv (RAVE's cached convolutions, whose caches hold MAX_BATCH_SIZE examples):
        when it is installed with MAX_BATCH_SIZE > 1, the second test uses 4 examples, or
        MAX_BATCH_SIZE when that is smaller."""
        try:
            import cached_conv  # type: ignore[import]
        except ImportError:
            return [1]
        try:
            limit = int(getattr(cached_conv, "MAX_BATCH_SIZE", 1))
        except (TypeError, ValueError):
            return [1]
        return [1, min(4, limit)] if limit > 1 else [1]

    def _nn_test_method(self, name: str, in_channels: int, in_ratio: int, out_channels: int,
                        out_ratio: int, buffer_size: int, batch: int = 1) -> None:
        x = torch.zeros(batch, in_channels, buffer_size // in_ratio)
        test = "self-test" if batch == 1 else f"self-test with a batch of {batch} examples"
        with torch.no_grad():
            try:
                y = getattr(self, name)(x)
            except Exception as error:
                raise ValueError(f"nn_tilde: method '{name}' failed its {test} on input "
                                 f"{list(x.shape)}: {type(error).__name__}: {error}") from error
        expected = [batch, out_channels, buffer_size // out_ratio]
        where = f"nn_tilde: method '{name}' {test} (input {list(x.shape)})"
        if not isinstance(y, torch.Tensor):
            raise ValueError(f"{where}: must return a Tensor, got {type(y).__name__}")
        if y.dim() != 3:
            raise ValueError(f"{where}: output must have 3 dimensions [batch, channels, "
                             f"frames], got shape {list(y.shape)}")
        if y.shape[0] != batch:
            raise ValueError(f"{where}: expected batch {batch}, got {y.shape[0]}")
        if y.shape[1] != out_channels:
            raise ValueError(f"{where}: expected {out_channels} output channels, "
                             f"got {y.shape[1]}")
        if y.shape[2] != expected[2]:
            raise ValueError(f"{where}: expected {expected[2]} output frames "
                             f"({buffer_size} // out_ratio {out_ratio}), got {y.shape[2]}")
        if y.dtype != torch.float32:
            raise ValueError(f"{where}: output must be torch.float32, got {y.dtype}")

    def _nn_author_defines(self, base: type, name: str) -> bool:
        return any(name in klass.__dict__ for klass in base.__mro__
                   if klass is not Module and klass is not torch.nn.Module)

    def _nn_rebuild(self) -> None:
        registry = self._nn_registry
        self._methods = list(registry.methods)
        self._attributes = list(registry.attributes)
        self._buffer_attributes = [b[0] for b in registry.buffers]
        cls = type(self)
        base = cls.__bases__[0] if cls.__dict__.get("_nn_generated", False) else cls
        functions = self._nn_generate(base)
        namespace: Dict[str, Any] = dict(functions)
        namespace.update(_nn_generated=True, __module__=base.__module__,
                         __qualname__=base.__qualname__, __doc__=base.__doc__)
        self.__class__ = type(base.__name__, (base,), namespace)

    def _nn_generate(self, base: type) -> Dict[str, Any]:
        registry = self._nn_registry
        chunks: Dict[str, str] = {}

        def add(name: str, source: str) -> None:
            if not self._nn_author_defines(base, name):
                chunks[name] = "@torch.jit.export\n" + source

        add("get_methods", "def get_methods(self) -> List[str]:\n"
            "    return self._methods\n")
        add("get_attributes", "def get_attributes(self) -> List[str]:\n"
            "    return self._attributes\n")
        add("get_buffer_attributes", "def get_buffer_attributes(self) -> List[str]:\n"
            "    return self._buffer_attributes\n")

        def dispatch(signature: str, action: str, default: str) -> str:
            lines = [signature]
            for element, attribute, index in registry.buffers:
                lines.append(f"    if buffer_name == {element!r}:")
                lines.append("        " + action.format(f"self.{attribute}[{index}]"))
            lines.append(f"    return {default}")
            return "\n".join(lines) + "\n"

        add("set_buffer_attribute", dispatch(
            "def set_buffer_attribute(self, buffer_name: str, buffer: Tensor, sr: int) -> int:",
            "return {}.set_value(buffer, sr)", "-1"))
        add("clear_buffer_attribute", dispatch(
            "def clear_buffer_attribute(self, buffer_name: str) -> None:",
            "{}.clear()\n        return None", "None"))
        add("is_buffer_empty", dispatch(
            "def is_buffer_empty(self, buffer_name: str) -> bool:",
            "return not {}.has_value", "True"))

        for attribute in registry.attributes:
            codes = registry.codes[attribute]
            getter = f"get_{attribute}"
            items = []
            for i, code in enumerate(codes):
                element = f"self.{attribute}[{i}]"
                items.append(element + ".to_str()" if code == TYPE_HASH[Buffer] else element)
            returned = ["str" if c == TYPE_HASH[Buffer] else _TYPE_SOURCE[c] for c in codes]
            add(getter, f"def {getter}(self) -> Tuple[{', '.join(returned)}]:\n"
                f"    return ({', '.join(items)},)\n")

            setter = f"set_{attribute}"
            params, stored = [], []
            for i, code in enumerate(codes):
                arg = f"{attribute}{i}"
                if code == TYPE_HASH[Buffer]:
                    # The host fills the buffer through set_buffer_attribute first and then
                    # passes the element's name ("attr#i"); the setter keeps a copy of it.
                    params.append(f"{arg}: str")
                    stored.append(f"Buffer.copy(self.{attribute}[{i}])")
                else:
                    params.append(f"{arg}: {_TYPE_SOURCE[code]}")
                    cast = {0: "bool", 1: "int", 2: "float"}.get(code)
                    stored.append(f"{cast}({arg})" if cast else arg)
            add(setter, f"def {setter}(self, {', '.join(params)}) -> int:\n"
                f"    self.{attribute} = ({', '.join(stored)},)\n"
                "    return 0\n")

        compiled = _compile_functions("\n\n".join(chunks.values()), list(chunks))
        for name, function in compiled.items():
            function.__qualname__ = f"{base.__qualname__}.{name}"
        return compiled

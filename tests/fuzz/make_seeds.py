#!/usr/bin/env python3
# nn~ in C — seed corpora for the libFuzzer targets (tests/fuzz), standard library only.
# SPDX-License-Identifier: MIT
"""Usage: make_seeds.py OUT_DIR [MODELS_DIR]

Writes OUT_DIR/{pickle,archive,cards,sound,values}/: TorchScript-shaped pickles with storage
persistent ids, archives laid out like torch.jit.save's (data.pkl, data/<key>, code/, version),
model-list JSON, WAV/AIFF/AU headers, and `set` messages in fuzz_values.c's encoding. MODELS_DIR (the release build's generated models),
when given and present, adds the real models and issue 13's reproducers to the archive seeds."""
import io
import os
import pickle
import struct
import sys
import types
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "mutants"))

# A stand-in 'torch' module so that pickle writes GLOBAL torch\nLongStorage as torch does.
fake = types.ModuleType("torch")
for cls in ("LongStorage", "FloatStorage", "DoubleStorage"):
    setattr(fake, cls, type(cls, (), {"__module__": "torch"}))
sys.modules["torch"] = fake


class Storage:
    def __init__(self, cls, key, numel):
        self.cls, self.key, self.numel = cls, key, numel


class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", getattr(fake, obj.cls), obj.key, "cpu", obj.numel)
        return None


def dumps(obj):
    buf = io.BytesIO()
    Pickler(buf, protocol=2).dump(obj)
    return buf.getvalue()


def archive(records, code):
    obj = {"forward_params": Storage("LongStorage", "0", 4), "gain": Storage("FloatStorage", "1", 1),
           "_methods": ["forward"], "labels": ("(signal) in",), "sr": None, "ok": True, "x": 1.5}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("m/data.pkl", dumps(obj))
        for key, data in records.items():
            z.writestr("m/data/" + key, data)
        z.writestr(zipfile.ZipInfo("m/code/__torch__.py"), code)
        z.writestr("m/constants.pkl", dumps(()))
        z.writestr("m/version", "3\n")
    return buf.getvalue()


def main(out, models=None):
    for d in ("pickle", "archive", "cards", "sound", "values"):
        os.makedirs(os.path.join(out, d), exist_ok=True)

    def put(kind, name, data):
        with open(os.path.join(out, kind, name), "wb") as f:
            f.write(data)

    put("pickle", "storages.pkl", dumps([Storage("LongStorage", "0", 4), Storage("FloatStorage", "1", 8)]))
    put("pickle", "nested.pkl", dumps({"a": [1, 2, (3, "x")], "b": {"c": Storage("DoubleStorage", "7", 0)}}))
    put("pickle", "proto4.pkl", pickle.dumps({"k": [1.5, b"x", None, True]}, protocol=4))
    code = b"class M(Module):\n  def forward(self, x: Tensor) -> Tensor:\n    return torch.mul(x, (1.0))\n"
    put("archive", "ok.ts", archive({"0": struct.pack("<4q", 1, 1, 1, 1), "1": struct.pack("<f", 1.0)}, code))
    put("archive", "short.ts", archive({"0": b"\1", "1": b""}, code))
    put("archive", "deep.ts", archive({"0": struct.pack("<4q", 1, 1, 1, 1)}, code + b"(" * 300 + b")" * 300))
    put("cards", "list.json", b'{"rave": {"vintage": {"v1": {}, "v2": {}}, "x/y": {}}, "nn": {"m": {"..": 1}}}')
    put("cards", "empty.json", b"{}")
    put("cards", "card.txt", b"source/model/name.ts")
    pcm = struct.pack("<8h", 0, 1000, -1000, 32767, -32768, 5, 6, 7)
    fmt = struct.pack("<HHIIHH", 1, 2, 48000, 48000 * 4, 4, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(pcm)) + pcm
    put("sound", "pcm16.wav", b"RIFF" + struct.pack("<I", len(body)) + body)
    put("sound", "float.au", b".snd" + struct.pack(">5I", 24, 16, 6, 44100, 1) + struct.pack(">4f", 0, 0.5, -0.5, 1))
    comm = struct.pack(">hIh", 1, 4, 16) + b"\x40\x0e\xac\x44" + b"\0" * 6
    ssnd = struct.pack(">II", 0, 0) + struct.pack(">4h", 1, 2, 3, 4)
    aiff = b"AIFF" + b"COMM" + struct.pack(">I", len(comm)) + comm + b"SSND" + struct.pack(">I", len(ssnd)) + ssnd
    put("sound", "pcm.aiff", b"FORM" + struct.pack(">I", len(aiff)) + aiff)
    # fuzz_values: [value count, atom count, type codes..., atoms...]; an atom is a kind byte
    # (0 int, 1 float, 2 symbol) then 8 bytes, or a length byte and the text.
    def atom(kind, value):
        if kind == 0:
            return b"\0" + struct.pack("<q", value)
        if kind == 1:
            return b"\1" + struct.pack("<d", value)
        return b"\2" + bytes([len(value)]) + value
    put("values", "bool_int_float.bin", bytes([3, 3, 0, 1, 2]) + atom(2, b"on") + atom(0, 7) + atom(1, 0.25))
    put("values", "string.bin", bytes([1, 1, 3]) + atom(1, 2.5))
    put("values", "tensor_buffer.bin", bytes([2, 2, 4, 5]) + atom(2, b"array1") + atom(2, b"ar44k"))
    put("values", "refused.bin", bytes([2, 2, 1, 4]) + atom(1, 2.7) + atom(0, 3))
    put("values", "unknown_type.bin", bytes([1, 1, 6]) + atom(0, 1))
    put("values", "count.bin", bytes([2, 1, 2, 2]) + atom(1, float("nan")))
    if models and os.path.isfile(os.path.join(models, "gain.ts")):
        import mutate
        for name in ("gain.ts", "ratios.ts", "attrs.ts"):
            put("archive", name, open(os.path.join(models, name), "rb").read())
        mutate.reproducers(models, os.path.join(out, "archive"))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)

#!/usr/bin/env python3
# nn~ in C — bad model files made from the generated models: the reproducers of issue 13's
# findings (one named file each) and seeded random mutants (truncations, bit flips, emptied,
# shortened and removed records, corrupted code and pickles, absurd params, deep nesting).
# SPDX-License-Identifier: MIT
"""Usage: mutate.py reproducers SRC_DIR OUT_DIR
          mutate.py mutants SRC_DIR OUT_DIR COUNT [SEED]

SRC_DIR holds the generated models (gain.ts, ratios.ts, attrs.ts). Only the standard library
is used: zipfile rewrites archives with correct CRCs unless a mutation corrupts the bytes
afterwards on purpose."""
import io
import os
import random
import re
import struct
import sys
import zipfile

BASES = ("gain.ts", "ratios.ts", "attrs.ts")


def read_entries(path):
    with zipfile.ZipFile(path) as z:
        return [(i.filename, i.compress_type, z.read(i.filename)) for i in z.infolist()]


def write_entries(path, entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, method, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, data)
    with open(path, "wb") as f:
        f.write(buf.getvalue())


def replace(entries, match, fn):
    out, hit = [], False
    for name, method, data in entries:
        if not hit and match(name):
            hit = True
            data = fn(data)
            if data is None:
                continue
        out.append((name, method, data))
    if not hit:
        raise SystemExit("mutate.py: no entry matched")
    return out


def params_record(entries, prefix):
    """Name of the data record that holds forward_params ([1, 1, 1, 1] as int64 for gain.ts)."""
    pkl = next(d for n, _, d in entries if n == prefix + "/data.pkl")
    key = re.search(rb"forward_params.{0,80}?X\x01\x00\x00\x00(\d)", pkl, re.S).group(1).decode()
    return prefix + "/data/" + key


def data_offset(path, name):
    """Offset of an entry's stored bytes inside the zip file."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        header = f.read(30)
    n, m = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + n + m


def corrupt_in_place(path, name, find, new):
    """Change stored bytes of an entry without fixing its CRC (what a bad disk or download does)."""
    start = data_offset(path, name)
    with open(path, "r+b") as f:
        f.seek(start)
        blob = f.read(1 << 20)
        at = blob.index(find)
        f.seek(start + at)
        f.write(new)


def deep_source(depth):
    return "\n\ndef _deep() -> int:\n  return " + "(" * depth + "1" + ")" * depth + "\n"


def reproducers(src, out):
    """One file per finding of issue 13, named after it; returns the names."""
    os.makedirs(out, exist_ok=True)
    gain = os.path.join(src, "gain.ts")
    e = read_entries(gain)
    p = params_record(e, "gain")
    made = {}

    def put(name, entries):
        write_entries(os.path.join(out, name), entries)
        made[name] = True

    # 1: empty data record; params on the 'meta' device.
    put("f1_empty_record.ts", replace(e, lambda n: n == p, lambda d: b""))
    put("f1_meta_params.ts", replace(e, lambda n: n.endswith("data.pkl"),
                                     lambda d: d.replace(b"X\x03\x00\x00\x00cpu", b"X\x04\x00\x00\x00meta")))
    # 2: source nested 8000 deep (libtorch's parser overflows an 8 MiB stack).
    put("f2_deep_nesting.ts", replace(e, lambda n: n.endswith("code/__torch__.py"),
                                      lambda d: d + deep_source(8000).encode()))
    # 3: params within each field's bound whose product asks for 16 GiB per block.
    put("f3_huge_params.ts", replace(e, lambda n: n == p, lambda d: struct.pack("<4q", 4096, 1 << 20, 4096, 1 << 20)))
    # 3: a header that claims 2.5 GB for a small deflated entry.
    put("f3_lying_size.ts", e)
    lying = os.path.join(out, "f3_lying_size.ts")
    with open(lying, "r+b") as f:
        blob = f.read()
        # this entry's central directory record, found by its name: patch its uncompressed size
        at = blob.index(b"gain/constants.pkl", blob.index(b"PK\x01\x02")) - 46
        f.seek(at + 24)
        f.write(struct.pack("<I", 2_500_000_000))
    # 4: a data record shorter than its tensor's storage.
    put("f4_short_record.ts", replace(e, lambda n: n == p, lambda d: d[:1]))
    # 5: a stored entry changed after the CRC was written (gain 1.0 -> 2.0: other audio).
    put("f5_bad_crc.ts", e)
    corrupt_in_place(os.path.join(out, "f5_bad_crc.ts"), "gain/data.pkl", b"G?\xf0\x00", b"G@\x00\x00")
    # 6: TorchScript that does not compile (libtorch leaks on each try).
    put("f6_bad_code.ts", replace(e, lambda n: n.endswith("code/__torch__.py"),
                                  lambda d: d.replace(b"return torch.mul(x, (gain)[0])", b"return torch.mul(x, (gain)[0]")))
    return sorted(made)


def mutate_once(rng, base_path, out_path, kind):
    e = read_entries(base_path)
    prefix = e[0][0].split("/")[0]
    raw = open(base_path, "rb").read()
    names = [n for n, _, _ in e]
    data_names = [n for n in names if "/data/" in n]
    pick = rng.choice
    if kind == "truncate":
        open(out_path, "wb").write(raw[: rng.randrange(1, len(raw))])
    elif kind == "bitflip":
        b = bytearray(raw)
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        open(out_path, "wb").write(bytes(b))
    elif kind == "empty_record":
        write_entries(out_path, replace(e, lambda n, t=pick(data_names): n == t, lambda d: b""))
    elif kind == "short_record":
        write_entries(out_path, replace(e, lambda n, t=pick(data_names): n == t, lambda d: d[: max(0, len(d) - rng.randint(1, 8))]))
    elif kind == "remove_record":
        write_entries(out_path, replace(e, lambda n, t=pick(names): n == t, lambda d: None))
    elif kind == "code":
        def corrupt(d):
            d = bytearray(d)
            for _ in range(rng.randint(1, 4)):
                d[rng.randrange(len(d))] = rng.choice(b"()[]{}:,.=+-*/ \nabcxyz0123456789#'\"")
            return bytes(d)
        write_entries(out_path, replace(e, lambda n: n.endswith(".py"), corrupt))
    elif kind == "pickle":
        def corrupt(d):
            d = bytearray(d)
            for _ in range(rng.randint(1, 4)):
                d[rng.randrange(len(d))] = rng.randrange(256)
            return bytes(d)
        write_entries(out_path, replace(e, lambda n, t=pick([n for n in names if n.endswith(".pkl")]): n == t, corrupt))
    elif kind == "params":
        p = params_record(e, prefix) if prefix == "gain" else pick(data_names)
        values = [rng.choice([0, -1, 1, 3, 4096, 4097, 1 << 20, (1 << 20) + 1, 1 << 40, -(1 << 62)]) for _ in range(4)]
        write_entries(out_path, replace(e, lambda n: n == p, lambda d: struct.pack("<4q", *values)[: max(len(d), 8)] if d else d))
    elif kind == "nesting":
        depth = rng.choice([300, 2000, 8000, 20000])
        write_entries(out_path, replace(e, lambda n: n.endswith("code/__torch__.py"), lambda d: d + deep_source(depth).encode()))
    elif kind == "crc":
        # A flipped bit in a stored (not deflated) entry always changes its content: only the
        # CRC can tell (a flip in a deflate stream's padding may change nothing).
        b = bytearray(raw)
        with zipfile.ZipFile(base_path) as z:
            stored = [i.filename for i in z.infolist() if i.compress_type == zipfile.ZIP_STORED and i.file_size]
            name = pick(stored)
            size = z.getinfo(name).compress_size
        start = data_offset(base_path, name)
        b[start + rng.randrange(size)] ^= 1 << rng.randrange(8)
        open(out_path, "wb").write(bytes(b))


KINDS = ("truncate", "bitflip", "empty_record", "short_record", "remove_record", "code", "pickle", "params",
         "nesting", "crc")


def mutants(src, out, count, seed=13):
    os.makedirs(out, exist_ok=True)
    rng = random.Random(seed)
    made = []
    for i in range(count):
        base = BASES[i % len(BASES)]
        kind = KINDS[(i // len(BASES)) % len(KINDS)]
        name = "m%03d_%s_%s" % (i, kind, base)
        mutate_once(rng, os.path.join(src, base), os.path.join(out, name), kind)
        made.append(name)
    return made


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "reproducers":
        print("\n".join(reproducers(sys.argv[2], sys.argv[3])))
    elif len(sys.argv) >= 5 and sys.argv[1] == "mutants":
        print("\n".join(mutants(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else 13)))
    else:
        raise SystemExit(__doc__)

# nn~ in C — Python torch reference for test_stream_timing: a model run block by block,
# with attribute values set before given blocks.
# SPDX-License-Identifier: MIT
#
# usage: timed_reference.py MODEL METHOD B IN.f32 OUT.f32 [BLOCK:ATTRIBUTE:VALUE ...]
# Reads a mono float32 signal, runs METHOD on consecutive blocks of B samples (the
# model keeps its state between calls, as in a stream), calling set_ATTRIBUTE(VALUE)
# just before the block with index BLOCK, and writes the concatenated output.
import sys

import numpy as np
import torch


def main(argv):
    model_path, method, b, in_path, out_path = argv[1:6]
    b = int(b)
    changes = {}
    for item in argv[6:]:
        block, name, value = item.split(":")
        changes.setdefault(int(block), []).append((name, float(value)))
    torch.set_num_threads(1)
    model = torch.jit.load(model_path)
    run = getattr(model, method)
    x = np.fromfile(in_path, dtype=np.float32)
    blocks = len(x) // b
    out = []
    with torch.no_grad():
        for k in range(blocks):
            for name, value in changes.get(k, []):
                getattr(model, "set_" + name)(value)
            block = torch.from_numpy(x[k * b:(k + 1) * b].copy()).reshape(1, 1, b)
            out.append(run(block).reshape(-1).numpy())
    np.concatenate(out).astype(np.float32).tofile(out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

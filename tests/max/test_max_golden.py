"""nn~ in C — every golden output of the generated models and the IRCAM fixtures, rendered by
the Max objects nn~, mc.nn~ and mcs.nn~ through the Max test host.

A block golden (docs/test-models.md) is one call of `frames` samples on a fresh model,
computed by Python torch. With B = frames and @offline 1, the engine's first block is that
call, and it leaves the object 2B - n samples after it entered. Batch-2 goldens run through
mc.nn~ (two channels per cord) and mcs.nn~ (two cords); batch-1 goldens through all three.
Tolerance as documented: 1e-5 x max(1, |expected|).
SPDX-License-Identifier: MIT
"""
import json
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))
import maxhost  # noqa: E402

EXT = os.environ.get("NN_MAX_EXTERNALS", "")
MODELS = os.environ.get("NN_TEST_MODELS", "")
GOLDEN = os.path.join(MODELS, "golden")
VS = 64
# The rate the goldens were computed at (the models' default): spectral features report Hz.
SR = 44100

def goldens():
    path = os.path.join(GOLDEN, "manifest.json")
    if not os.path.exists(path):
        raise AssertionError(f"no golden manifest at {path} (the models target makes it)")
    with open(path) as handle:
        entries = json.load(handle)
    # slow.ts sleeps on purpose in every call: it is exercised by the misuse tests instead.
    return [e for e in entries if e["kind"] == "block" and not e["id"].startswith("slow.")]

def host_order(x, layout):
    """[batch][channels][frames] -> [frames][host channels] in the object's cord order."""
    batch, channels, _ = x.shape
    if layout == "mc":  # cord c, channel k = example k of dimension c
        cols = [x[k, c] for c in range(channels) for k in range(batch)]
    else:  # nn~ (batch 1): cord c; mcs: cord k, channel c
        cols = [x[k, c] for k in range(batch) for c in range(channels)]
    return np.stack(cols, axis=1)

def from_host_order(y, layout, batch, channels):
    frames = y.shape[0]
    out = np.zeros((batch, channels, frames), dtype=np.float32)
    for k in range(batch):
        for c in range(channels):
            out[k, c] = y[:, c * batch + k] if layout == "mc" else y[:, k * channels + c]
    return out

def by_model():
    """The goldens grouped by model file: one host run per model (starting the host and
    libtorch costs more than most renders)."""
    groups = {}
    for e in goldens():
        groups.setdefault(os.path.basename(e["model"]), []).append(e)
    return sorted(groups.items())


def layouts_of(entry):
    return ["mc", "mcs"] if entry["batch"] > 1 else ["nn", "mc", "mcs"]


@pytest.mark.parametrize("group", by_model(), ids=lambda g: g[0])
def test_golden_through_max_objects(group, tmp_path):
    _, entries = group
    script = "".join(f"load {EXT}/{n}.mxl\n" for n in ("nn~", "mc.nn~", "mcs.nn~"))
    for i, entry in enumerate(entries):
        batch, cin, frames = entry["batch"], entry["in_channels"], entry["frames"]
        x = np.fromfile(os.path.join(GOLDEN, entry["input"]), dtype="<f4").reshape(batch, cin, frames)
        b = frames
        total = frames + 2 * b - VS
        padded = np.zeros((batch, cin, total), dtype=np.float32)
        padded[:, :, :frames] = x
        for layout in layouts_of(entry):
            name = {"nn": "nn~", "mc": "mc.nn~", "mcs": "mcs.nn~"}[layout]
            args = (f"{entry['model']} {entry['method']} {batch} {b}" if layout == "mcs"
                    else f"{entry['model']} {entry['method']} {b}")
            cords = [batch] * cin if layout == "mc" else [cin] * batch if layout == "mcs" else [1] * cin
            obj = f"{layout}{i}"
            maxhost.write_f32(tmp_path / f"{obj}.in.f32", host_order(padded, layout))
            script += (f"new {obj} {name} {args} @offline 1\n"
                       f"dsp {obj} sr={SR} vs={VS} in={','.join(map(str, cords))}\n"
                       f"perform {obj} {total} {tmp_path}/{obj}.in.f32 {tmp_path}/{obj}.out.f32\n"
                       f"delete {obj}\n")
    script += "expect-console-errors 0\n"
    maxhost.run_script(script, tmp_path)
    failures = []
    for i, entry in enumerate(entries):
        batch, cout, frames = entry["batch"], entry["out_channels"], entry["frames"]
        expected = np.fromfile(os.path.join(GOLDEN, entry["output"]), dtype="<f4").reshape(batch, cout, frames)
        lat = 2 * frames - VS
        tol = 1e-5 * np.maximum(1.0, np.abs(expected))
        for layout in layouts_of(entry):
            y = maxhost.read_f32(tmp_path / f"{layout}{i}.out.f32", batch * cout)
            got = from_host_order(y, layout, batch, cout)[:, :, lat:lat + frames]
            if not np.all(np.abs(got - expected) <= tol):
                failures.append(f"{entry['id']} through {layout}: max error {np.max(np.abs(got - expected)):.3g}")
    assert not failures, "\n".join(failures)

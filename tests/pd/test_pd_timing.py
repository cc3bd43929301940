# SPDX-License-Identifier: MIT
"""A `set` sent at loadbang lands on the first block, whatever the threads do.

The patch a new user writes: [nn~ attrs.ts forward 0] (synchronous, no -offline) gets
`set count 3`, `set level 0.25`, `set table tab` and `set sample smp` (two of them read
from Pd arrays) at loadbang, and DSP starts at once in `pd -batch`. Every rendered sample
must show the new values (latency 0: B = 64 = the vector size), in every one of 50 runs
with the CPU made busy by three spinning processes. Before the engine stamped messages
with the stream position, the control thread applied them whenever it got to them and
the first blocks used the old values in some runs.
"""
import contextlib
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pdtest  # noqa: E402

FRAMES = 2048
RUNS = 50


@contextlib.contextmanager
def busy(count):
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait()


def test_loadbang_set_lands_on_first_block(tmp_path):
    attrs = pdtest.model("attrs.ts")
    x = pdtest.test_signal(FRAMES)
    table = [float(i) for i in range(8)]

    def arrays(main, load, send):
        main.obj("array define tab 8")
        main.obj("array define smp 100")
        fill = main.msg("\\; tab 0 " + " ".join(str(v) for v in table) + " \\; smp const 0.5")
        main.connect(load, 0, fill, 0)

    messages = ["set count 3", "set level 0.25", "set table tab", "set sample smp"]
    # ch1 = count, ch2 = level, ch3 = table.sum() + sample frames (generate_models.py Attrs).
    expected = {1: 3.0, 2: 0.25, 3: sum(table) + 100}
    with busy(3):
        for i in range(RUNS):
            workdir = tmp_path / f"run{i}"
            workdir.mkdir()
            run, outs = pdtest.render(f"nn~ {attrs} forward 0", list(x), 4, FRAMES, str(workdir),
                                      messages=messages, extra_main=arrays)
            run.check_alive()
            assert run.errors == [], (i, run.errors)
            assert run.info()["latency"] == ["0"], run.info()["latency"]
            for channel, value in expected.items():
                wrong = np.flatnonzero(outs[channel] != value)
                assert wrong.size == 0, (f"run {i}: outlet {channel} first differs from {value} at sample "
                                         f"{wrong[0]} ({outs[channel][wrong[0]]}): the set did not land on block 0")

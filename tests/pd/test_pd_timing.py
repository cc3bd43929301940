# SPDX-License-Identifier: MIT
"""A `set` sent at loadbang lands on the first block, whatever the threads do.

The patch a new user writes: [nn~ attrs.ts forward 0] (synchronous, no -offline) gets
`set count 3`, `set level 0.25`, `set table tab` and `set sample smp` (two of them read
from Pd arrays) at loadbang, and DSP starts at once in `pd -batch`. Every rendered sample
must show the new values (latency 0: B = 64 = the vector size), in every one of 50 runs
with the CPU made busy by three spinning processes (NN_PD_TIMING_RUNS, set per Pd version
and configuration in tests/pd/CMakeLists.txt, can lower it). Before the engine stamped
messages with the stream position, the control thread applied them whenever it got to them and
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
RUNS = int(os.environ.get("NN_PD_TIMING_RUNS", "50"))


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


def test_lowlatency_flag_and_delay_message(tmp_path):
    """[nn~ -l] picks the delay from the measured compute time: bang reports it, the latency
    B + D - n and the compute times (threaded mode, Pd on the wall clock, where only the
    reports are checked). `delay 256` and `delay x` are accepted and refused with one line."""
    gain = pdtest.model("gain.ts")
    x = pdtest.test_signal(FRAMES)
    run, _ = pdtest.render(f"nn~ -l {gain} forward 2048", list(x), 1, FRAMES, str(tmp_path),
                           at=[(10, "delay 256"), (20, "delay x")], realtime=True)
    run.check_alive()
    # A threaded object may report late blocks: the warning then names the delay setting to raise.
    late = [e for e in run.errors if "were not ready in time" in e]
    assert all("try a larger delay, up to the bufsize 2048" in e for e in late), late
    others = [e for e in run.errors if e not in late]
    assert len(others) == 1 and "delay needs 'auto', 0 (a whole block) or a number of samples" in others[0], others
    reports = [t for t in run.printed("info") if t and t[0] in ("delay", "latency", "compute")]
    first = {t[0]: t[1:] for t in reports[:3]}
    d = int(first["delay"][0])
    assert 64 <= d < 2048 and d % 64 == 0, first
    assert int(first["latency"][0]) == 2048 + d - 64, first
    assert len(first["compute"]) == 4, first


def test_reread_array_after_edit(tmp_path):
    """Pd says nothing when an array is edited: `reread <array>` (or `reread` for every array)
    sets again every attribute whose last `set` read it. Before it, the edit is not seen;
    after it, the model has the new values. A name no attribute read gives one error."""
    attrs = pdtest.model("attrs.ts")
    x = pdtest.test_signal(FRAMES * 8)

    def arrays(main, load, send):
        main.obj("array define tab 8")
        fill = main.msg("\\; tab 0 1 1 1 1 1 1 1 1")
        main.connect(load, 0, fill, 0)

    # ch3 = table.sum() (no sample set): 8, then 80 after the edit at 60 ms is re-read at 120 ms,
    # then 160 after the second edit at 180 ms, re-read by `reread` at 240 ms.
    at = [(60, "\\; tab 0 10 10 10 10 10 10 10 10"), (120, "reread tab"), (130, "reread nosuch"),
          (180, "\\; tab 0 20 20 20 20 20 20 20 20"), (240, "reread")]
    run, outs = pdtest.render(f"nn~ {attrs} forward 0", list(x), 4, FRAMES * 8, str(tmp_path),
                              messages=["set table tab"], extra_main=arrays, at=at)
    run.check_alive()
    assert len(run.errors) == 1 and "no attribute was set from Pd array 'nosuch'" in run.errors[0], run.errors
    ch3 = outs[3]
    ms = pdtest.SR // 1000

    def level(start_ms, end_ms):
        part = ch3[start_ms * ms:end_ms * ms]
        assert np.all(part == part[0]), (start_ms, end_ms, np.unique(part))
        return float(part[0])

    assert level(5, 115) == 8.0, "the edit was seen before reread"
    assert level(125, 235) == 80.0, "reread tab did not set the table again"
    assert level(245, 300) == 160.0, "reread (no name) did not set the table again"
    said = [line for line in run.lines if "set table again" in line]
    assert len(said) == 2, said

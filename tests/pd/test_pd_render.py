# SPDX-License-Identifier: MIT
"""[nn~] output in a real Pd against Python torch: the same model, the same input, aligned by
the latency the object reports on its info outlet. Gain, stateful (streaming cache), multi
(3 inlets, 2 outlets), ratios (encode, ratio 64), rave (RAVE-sized), IRCAM's effects.ts with
attributes set from Pd; offline mode at several buffer sizes, synchronous mode (bufsize 0),
and a vector size larger than B."""
import numpy as np
import pytest

import pdtest

FRAMES = 3 * 4096


def check_render(tmp_path, name, method, bufsize, n_in, n_out, messages=(), path=None, flags="-offline",
                 block=None, frames=FRAMES, atol=1e-5, expect=None):
    path = path or pdtest.model(name)
    tmp_path.mkdir(parents=True, exist_ok=True)
    x = pdtest.test_signal(frames, channels=n_in)
    out_frames = frames + 2 * max(bufsize, 64) + 1024
    run, outs = pdtest.render(f"nn~ {flags} {path} {method} {bufsize}", list(x), n_out, out_frames,
                              str(tmp_path), messages=messages, block=block)
    run.check_alive()
    assert run.errors == [], "\n".join(run.errors)
    info = run.info()
    latency = int(float(info["latency"][0]))
    b = int(float(info["bufsize"][0]))
    n = block or 64
    mode = info["mode"][0]
    if bufsize == 0:
        # Synchronous: B is the largest ratio, raised to the vector size when that is larger.
        b = max(b, n)
        assert mode == "synchronous" and latency == b - n, info
    else:
        assert mode == ("offline" if "-offline" in flags else "threaded") and latency == 2 * b - n, info
    expected = expect(x) if expect else pdtest.torch_blocks(path, method, x, b)
    assert np.abs(expected).max() > 1e-3, f"{name}.{method}: the expected output is silent, the test proves nothing"
    for j in range(n_out):
        pdtest.assert_aligned(outs[j], expected[j], latency, atol=atol, what=f"{name}.{method} B={bufsize} out{j}",
                              require_signal=False)
    return run, outs, expected, latency


@pytest.mark.parametrize("bufsize", [64, 256, 4096, 0])
def test_gain(tmp_path, bufsize):
    check_render(tmp_path, "gain.ts", "forward", bufsize, 1, 1)


def test_gain_set_from_pd(tmp_path):
    check_render(tmp_path, "gain.ts", "forward", 512, 1, 1, messages=["set gain 0.5"], expect=lambda x: 0.5 * x)


@pytest.mark.parametrize("bufsize", [128, 1024, 0])
def test_stateful(tmp_path, bufsize):
    _, outs, expected, latency = check_render(tmp_path, "stateful.ts", "forward", bufsize, 1, 1)
    # Consecutive blocks are one long signal: the whole signal in one torch call agrees.
    import torch
    x = pdtest.test_signal(FRAMES)
    module = torch.jit.load(pdtest.model("stateful.ts"))
    with torch.no_grad():
        whole = module.forward(torch.from_numpy(x)[None]).numpy()[0, 0]
    n = len(expected[0])
    np.testing.assert_allclose(outs[0][latency:latency + n], whole[:n], atol=1e-5)


def test_multi(tmp_path):
    check_render(tmp_path, "multi.ts", "forward", 512, 3, 2)


def test_ratios_encode(tmp_path):
    check_render(tmp_path, "ratios.ts", "encode", 256, 1, 1)


def test_rave_forward(tmp_path):
    check_render(tmp_path, "rave.ts", "forward", 2048, 1, 1, frames=4 * 2048, atol=1e-4)


def test_effects_fixture_with_attributes(tmp_path):
    path = pdtest.fixture("effects.ts")
    messages = ["set gain_factor 3", "set saturate_mode clip"]
    _, outs, _, _ = check_render(tmp_path, "effects", "saturate", 1024, 1, 1, messages=messages, path=path,
                                 expect=lambda x: np.clip(3 * x, -1, 1))
    assert np.abs(outs[0]).max() == pytest.approx(1.0), "clip mode was not applied"


def test_threaded_matches_when_model_keeps_up(tmp_path):
    # A cheap model at a large B keeps up in real time: Pd on the wall clock (no -batch, where
    # every [nn~] renders offline) keeps the object threaded. Threaded output must at least be
    # silence or the right samples, never anything else.
    x = pdtest.test_signal(FRAMES)
    run, outs = pdtest.render(f"nn~ {pdtest.model('gain.ts')} forward 4096", list(x), 1, FRAMES + 8192,
                              str(tmp_path), realtime=True)
    run.check_alive()
    assert run.info()["mode"] == ["threaded"], run.info()
    latency = int(float(run.info()["latency"][0]))
    got = outs[0][latency:latency + FRAMES]
    ok = (got == 0) | (np.abs(got - x[0][: len(got)]) < 1e-6)
    assert ok.all(), "threaded output holds samples that are neither silence nor the model's output"


def test_batch_renders_threaded_object_completely(tmp_path):
    # pd -batch has no real-time audio and runs DSP as fast as the CPU allows: a threaded
    # [nn~] (no -offline) would drop every block. It renders offline instead, says so once,
    # and the render is complete and exact.
    gain = pdtest.model("gain.ts")
    x = pdtest.test_signal(FRAMES)

    def wire(sub, players, recorders, to_nn):
        nn = sub.obj(f"nn~ {gain} forward 256")
        other = sub.obj(f"nn~ {gain} forward 512")
        printer = sub.obj("print info")
        sub.connect(to_nn, 0, nn, 0)
        sub.connect(nn, 1, printer, 0)
        sub.connect(players[0], 0, nn, 0)
        sub.connect(players[0], 0, other, 0)
        sub.connect(nn, 0, recorders[0], 0)

    run, outs = pdtest.render_patch(wire, list(x), 1, FRAMES + 1024, str(tmp_path), at=[(300, "bang")])
    run.check_alive()
    assert run.errors == [], "\n".join(run.errors)
    said = [line for line in run.lines if "Pd runs with -batch" in line]
    assert len(said) == 1 and "renders offline" in said[0], run.lines[:20]
    info = run.info()
    assert info["mode"] == ["offline"] and info["overruns"] == ["0"], info
    latency = 2 * 256 - 64
    assert info["latency"] == [str(latency)], info
    pdtest.assert_aligned(outs[0], x[0], latency, atol=1e-6, what="threaded [nn~] in pd -batch")


@pytest.mark.parametrize("bufsize", [0, 2048])
def test_vector_larger_than_default_block(tmp_path, bufsize):
    check_render(tmp_path, "gain.ts", "forward", bufsize, 1, 1, block=1024)


def test_demo_mc_fixture_channels(tmp_path):
    # IRCAM's demo_mc.ts, [3, 2048, 3, 2048]: three inlets, three outlets, ratio 2048.
    path = pdtest.fixture("demo_mc.ts")
    for method in ("identity", "channel"):
        check_render(tmp_path / method, "demo_mc", method, 2048, 3, 3, path=path, frames=4 * 2048)


def test_demo_attributes_fixture(tmp_path):
    path = pdtest.fixture("demo_attributes.ts")
    messages = ["set attr_int 7", "set attr_float 0.5", "set attr_list 3 foo 1.5 true", "set attr_bool on",
                "set attr_enum cat", "set attr_str hello"]
    check_render(tmp_path, "demo_attributes", "forward", 256, 1, 2, path=path, messages=messages,
                 expect=lambda x: np.array([np.full(x.shape[1], 7.0), np.full(x.shape[1], 0.5)]))

# SPDX-License-Identifier: MIT
"""[nn~ -m] with real multichannel signals (Pd >= 0.54; registered for Pd 0.56 only, and
failing, never skipping, on a Pd without multichannel signals): one multichannel inlet
carrying the method's input dimensions (channel i from input channel i mod nchans, so a mono
signal feeds them all), one multichannel outlet carrying its output dimensions, [snake~]
building the input and splitting the result, a RAVE-shaped encode -> decode chain through
one cord, and `load` / `method` that change the channel counts and recompile DSP. Every
render is compared with Python torch on the same input."""
import numpy as np

import pdtest

FRAMES = 3 * 4096


def require_multichannel():
    assert pdtest.PD_MULTICHANNEL, (f"Pd {pdtest.PD_VERSION} has no multichannel signals: the -m tests are "
                                    "registered for Pd 0.56 only (tests/pd/CMakeLists.txt)")


def snake_in(sub, players, chans):
    """[snake~ in <n>] fed by the first `chans` players; returns its index."""
    snake = sub.obj(f"snake~ in {len(chans)}")
    for inlet, i in enumerate(chans):
        sub.connect(players[i], 0, snake, inlet)
    return snake


def snake_out(sub, source, outlet, recorders):
    """[snake~ out <n>] splitting `source`'s outlet into `recorders`."""
    snake = sub.obj(f"snake~ out {len(recorders)}")
    sub.connect(source, outlet, snake, 0)
    for j, rec in enumerate(recorders):
        sub.connect(snake, j, rec, 0)
    return snake


def load_torch(path):
    import torch
    torch.set_num_threads(1)
    return torch, torch.jit.load(path)


def test_m_multi_inputs_wrap(tmp_path):
    """multi.ts forward (3 in: sum of the first two, twice the third; 2 out) with 3, 2 and 1
    input channels: channel i of the method is cord channel i mod nchans."""
    require_multichannel()
    multi = pdtest.model("multi.ts")
    bufsize = 512
    x = pdtest.test_signal(FRAMES, channels=3)
    feeds = {"three": [0, 1, 2], "two": [0, 1], "mono": [0]}

    def wire(sub, players, recorders, to_nn):
        for k, (tag, chans) in enumerate(feeds.items()):
            nn = sub.obj(f"nn~ -m -offline {multi} forward {bufsize}")
            sub.connect(to_nn, 0, nn, 0)
            printer = sub.obj(f"print {tag}")
            sub.connect(nn, 1, printer, 0)
            if len(chans) == 1:
                sub.connect(players[0], 0, nn, 0)  # a plain mono signal, no [snake~]
            else:
                sub.connect(snake_in(sub, players, chans), 0, nn, 0)
            snake_out(sub, nn, 0, recorders[2 * k:2 * k + 2])

    out_frames = FRAMES + 2 * bufsize + 1024
    run, outs = pdtest.render_patch(wire, list(x), 2 * len(feeds), out_frames, str(tmp_path))
    run.check_alive()
    assert run.errors == [], "\n".join(run.errors)
    latency = 2 * bufsize - 64
    for k, (tag, chans) in enumerate(feeds.items()):
        info = run.info(tag)
        assert info["multichannel"] == ["1"] and info["dim"] == ["3", "2"], (tag, info)
        assert info["latency"] == [str(latency)] and info["mode"] == ["offline"], (tag, info)
        wrapped = np.stack([x[chans[i % len(chans)]] for i in range(3)])
        expected = pdtest.torch_blocks(multi, "forward", wrapped, bufsize)
        for j in range(2):
            pdtest.assert_aligned(outs[2 * k + j], expected[j], latency, what=f"{tag} input channels, out{j}")
    # The wrap is visible: with two channels, output 1 is twice channel 0 (not channel 2).
    assert not np.allclose(outs[3], outs[1]), "two-channel and three-channel inputs gave the same output 1"


def test_m_rave_encode_decode_one_cord(tmp_path):
    """rave.ts encode (1 -> 16 latents, ratio 2048) into rave.ts decode (16 -> 1) through one
    16-channel cord, with [snake~ out 16] tapping latents 0 and 15 on the way."""
    require_multichannel()
    rave = pdtest.model("rave.ts")
    bufsize = 2048
    frames = 4 * bufsize
    x = pdtest.test_signal(frames)

    def wire(sub, players, recorders, to_nn):
        enc = sub.obj(f"nn~ -m -offline {rave} encode {bufsize}")
        dec = sub.obj(f"nn~ -m -offline {rave} decode {bufsize}")
        for nn, tag in ((enc, "enc"), (dec, "dec")):
            sub.connect(to_nn, 0, nn, 0)
            printer = sub.obj(f"print {tag}")
            sub.connect(nn, 1, printer, 0)
        sub.connect(players[0], 0, enc, 0)
        sub.connect(enc, 0, dec, 0)
        sub.connect(dec, 0, recorders[0], 0)
        split = sub.obj("snake~ out 16")
        sub.connect(enc, 0, split, 0)
        sub.connect(split, 0, recorders[1], 0)
        sub.connect(split, 15, recorders[2], 0)

    latency = 2 * bufsize - 64
    out_frames = frames + 2 * latency + 2048
    run, outs = pdtest.render_patch(wire, list(x), 3, out_frames, str(tmp_path))
    run.check_alive()
    assert run.errors == [], "\n".join(run.errors)
    enc_info, dec_info = run.info("enc"), run.info("dec")
    assert enc_info["dim"] == ["1", "16"] and dec_info["dim"] == ["16", "1"], (enc_info, dec_info)
    assert enc_info["latency"] == dec_info["latency"] == [str(latency)], (enc_info, dec_info)

    z = pdtest.torch_blocks(rave, "encode", x, bufsize)  # [16][frames], each latent held 2048 samples
    pdtest.assert_aligned(outs[1], z[0], latency, atol=1e-4, what="latent 0")
    pdtest.assert_aligned(outs[2], z[15], latency, atol=1e-4, what="latent 15")
    assert not np.allclose(z[0], z[15]), "latents 0 and 15 are equal: the tap proves nothing"
    # The decoder sees the encoder's output as it leaves the object: silence for the latency.
    z_stream = np.concatenate([np.zeros((16, latency), dtype=np.float32), z], axis=1)
    y = pdtest.torch_blocks(rave, "decode", z_stream, bufsize)
    pdtest.assert_aligned(outs[0], y[0], latency, atol=1e-4, what="encode -> decode")
    assert np.abs(y[0][2 * latency:]).max() > 1e-2, "the decoded signal is silent: the test proves nothing"


def test_m_load_and_method_change_channels(tmp_path):
    """One -m object whose channel counts change four times: effects.ts thru (1 -> 1),
    midside (2 -> 2), add (2 -> 1), `load multi.ts` (forward, 3 -> 2), `load gain.ts`
    (1 -> 1). Each change recompiles DSP; the 2-channel input and the [snake~ out 2] split
    carry the new counts (missing output channels are silent)."""
    require_multichannel()
    effects = pdtest.fixture("effects.ts")
    multi = pdtest.model("multi.ts")
    gain = pdtest.model("gain.ts")
    bufsize = 1024
    frames = int(0.55 * pdtest.SR)
    x = pdtest.test_signal(frames, channels=2)
    at = [(100, "method midside"), (200, "method add"), (300, f"load {multi}"), (400, f"load {gain}"),
          (500, "bang")]

    def wire(sub, players, recorders, to_nn):
        nn = sub.obj(f"nn~ -m -offline {effects} thru {bufsize}")
        sub.connect(to_nn, 0, nn, 0)
        printer = sub.obj("print info")
        sub.connect(nn, 1, printer, 0)
        sub.connect(snake_in(sub, players, [0, 1]), 0, nn, 0)
        snake_out(sub, nn, 0, recorders)

    run, outs = pdtest.render_patch(wire, list(x), 2, frames, str(tmp_path), at=at)
    run.check_alive()
    assert run.errors == [], "\n".join(run.errors)
    info = run.info()
    assert info["model"] == [gain] and info["method"] == ["forward"] and info["dim"] == ["1", "1"], info

    torch, fx = load_torch(effects)
    _, mm = load_torch(multi)
    _, gm = load_torch(gain)
    silent = np.zeros(frames, dtype=np.float32)

    def run_method(fn, inputs):
        with torch.no_grad():
            return fn(torch.from_numpy(np.ascontiguousarray(inputs))[None]).numpy()[0]

    expected = [  # (start ms, [out0, out1] for the whole signal, as if that method ran throughout)
        (0, [run_method(fx.thru, x[:1])[0], silent]),
        (100, list(run_method(fx.midside, x))),
        (200, [run_method(fx.add, x)[0], silent]),
        (300, list(run_method(mm.forward, np.stack([x[0], x[1], x[0]])))),
        (400, [run_method(gm.forward, x[:1])[0], silent]),
    ]
    latency = 2 * bufsize - 64
    for start_ms, outputs in expected:
        # Each swap refills the pipeline (latency 1984 samples, 41 ms): compare from 60 ms on.
        seg = slice(int((start_ms + 60) * pdtest.SR / 1000), int((start_ms + 95) * pdtest.SR / 1000))
        for j, want in enumerate(outputs):
            got = outs[j][seg]
            ref = want[seg.start - latency:seg.stop - latency]
            np.testing.assert_allclose(got, ref, atol=1e-6, err_msg=f"{start_ms} ms: output channel {j}")
        assert np.abs(outputs[0]).max() > 0.1, f"{start_ms} ms: the expected output is silent"
    # midside's side and multi's doubled third input really reach the second channel.
    for start_ms in (100, 300):
        seg = slice(int((start_ms + 60) * pdtest.SR / 1000), int((start_ms + 95) * pdtest.SR / 1000))
        assert np.abs(outs[1][seg]).max() > 0.05, f"{start_ms} ms: output channel 1 is silent"
    changes = [line for line in run.lines if "dimensions changed" in line]
    assert changes == ["nn~: dimensions changed: 2 in, 2 out", "nn~: dimensions changed: 2 in, 1 out",
                       "nn~: dimensions changed: 3 in, 2 out", "nn~: dimensions changed: 1 in, 1 out"], changes


def test_plain_object_takes_first_channel(tmp_path):
    """Without -m, on a Pd with multichannel signals: a multichannel cord into a signal inlet
    gives the model its first channel only (reference 4.2), and the outlets are mono."""
    require_multichannel()
    multi = pdtest.model("multi.ts")
    bufsize = 512
    x = pdtest.test_signal(FRAMES, channels=3)

    def wire(sub, players, recorders, to_nn):
        nn = sub.obj(f"nn~ -offline {multi} forward {bufsize}")
        sub.connect(to_nn, 0, nn, 0)
        printer = sub.obj("print info")
        sub.connect(nn, 2, printer, 0)
        sub.connect(snake_in(sub, players, [0, 2]), 0, nn, 0)  # channels x0, x2 into inlet 0
        sub.connect(players[1], 0, nn, 1)
        sub.connect(snake_in(sub, players, [2, 0]), 0, nn, 2)  # channels x2, x0 into inlet 2
        for j in range(2):
            sub.connect(nn, j, recorders[j], 0)

    run, outs = pdtest.render_patch(wire, list(x), 2, FRAMES + 2 * bufsize + 1024, str(tmp_path))
    run.check_alive()
    assert run.errors == [], "\n".join(run.errors)
    assert run.info()["multichannel"] == ["0"], run.info()
    expected = pdtest.torch_blocks(multi, "forward", x, bufsize)
    for j in range(2):
        pdtest.assert_aligned(outs[j], expected[j], 2 * bufsize - 64, what=f"out{j}")

# SPDX-License-Identifier: MIT
"""A model at its own sample rate in a Pd patch at another: rate44k.ts (declares 44100 Hz, an
echo of 441 samples = 10 ms at its rate) in Pd at 48 kHz. [nn~] resamples: its output equals
the Python reference (libsamplerate by ctypes + torch, tests/stream/resample_reference.py)
once shifted by the latency it reports, `nntilde run` gives the same samples for the same
file, one console line names both rates, [nn.info] reports the declared 44100 Hz, and
'resample 0' runs the model at Pd's rate (the echo comes 441 samples late, not 480)."""
import os
import subprocess
import sys

import numpy as np

import pdtest

FRAMES = 6 * 4096
B = 4096
HERE = os.path.dirname(os.path.abspath(__file__))


def reference(x, block, tmp_path, method="forward"):
    src, dst = tmp_path / "ref_in.f32", tmp_path / "ref_out.f32"
    x.astype(np.float32).tofile(src)
    script = os.path.join(HERE, "..", "stream", "resample_reference.py")
    subprocess.run([sys.executable, script, pdtest.model("rate44k.ts"), method, str(pdtest.SR), "44100", str(block),
                    str(src), str(dst)], check=True)
    return np.fromfile(dst, dtype=np.float32)


def render(tmp_path, flags="-offline", messages=()):
    x = pdtest.test_signal(FRAMES)
    run, outs = pdtest.render(f"nn~ {flags} {pdtest.model('rate44k.ts')} forward {B}", list(x), 1,
                              FRAMES + 3 * B, str(tmp_path), messages=messages)
    run.check_alive()
    assert run.errors == [], "\n".join(run.errors)
    return x[0], run, outs[0]


def test_resampled_render_matches_python_and_cli(tmp_path):
    x, run, out = render(tmp_path)
    info = run.info()
    latency = int(float(info["latency"][0]))
    assert info["samplerate"] == ["44100"] and info["resample"] == ["1"], info
    # 2B - n and the resampling: at least a model block (B at 44.1 kHz = 4458 samples at 48 kHz).
    assert 2 * B - 64 + 4458 <= latency <= 2 * B - 64 + 4458 + 512, latency
    notes = [line for line in run.lines if "declares 44100 Hz" in line]
    assert len(notes) == 1 and "48000 Hz" in notes[0] and "resampling" in notes[0], run.lines
    ref = reference(x, B, tmp_path)
    n = FRAMES - 2048  # the reference's last samples come from libsamplerate's end-of-input flush
    # Streaming through the engine and one src_simple call give the same filter phases on the
    # same samples: measured 0 difference; the tolerance allows another libsamplerate build.
    pdtest.assert_aligned(out, ref[:n], latency, atol=1e-5, what="rate44k in Pd at 48 kHz")

    # The same file through nntilde: the same samples, its latency removed.
    wav = tmp_path / "in.wav"
    pdtest.write_wav(str(wav), x)
    cli_out = tmp_path / "cli.wav"
    nntilde = os.path.join(pdtest.BUILD, "bin", "nntilde")
    assert os.path.exists(nntilde), f"{nntilde} is missing: build the 'nntilde' target"
    result = subprocess.run([nntilde, "run", "-b", str(B), pdtest.model("rate44k.ts"), str(wav), str(cli_out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "declares 44100 Hz, IN is 48000 Hz: resampling" in result.stderr, result.stderr
    y = pdtest.read_wav(str(cli_out))
    assert y.shape == (1, FRAMES), y.shape
    y = y[0]
    diff = np.abs(y[:n] - out[latency:latency + n])
    print(f"CLI against Pd: max difference {diff.max():.3g} over {n} samples")
    assert diff.max() <= 1e-6, f"nntilde and [nn~] differ by {diff.max()} at {int(np.argmax(diff))}"


def echo_delay(out, at):
    first = at + int(np.argmax(np.abs(out[at:at + 300])))
    second = first + 300 + int(np.argmax(np.abs(out[first + 300:first + 700])))
    return second - first


def test_resample_message_and_nn_info(tmp_path):
    main = pdtest.Patch()
    info = main.obj(f"nn.info {pdtest.model('rate44k.ts')}")
    pr = main.obj("print ninfo")
    main.connect(info, 0, pr, 0)
    load = main.obj("loadbang")
    m = main.msg("bang")
    main.connect(load, 0, m, 0)
    main.connect(m, 0, info, 0)
    pdtest.finish(main, dsp=False)
    run = pdtest.run_pd(main, str(tmp_path))
    run.check_alive()
    # The file's rate, not Pd's 48000 that set_sample_rate stored in the model since.
    assert ["samplerate", "44100"] in run.printed("ninfo"), run.printed("ninfo")

    # An impulse: resampled, the echo is 10 ms = 480 samples at 48 kHz; 'resample 0': 441.
    for flags, messages, expected, rate in (("-offline", (), 480, "44100"),
                                            ("-offline", ("resample 0",), 441, "48000"),
                                            ("-offline -noresample", (), 441, "48000")):
        sub = tmp_path / ("r" + str(expected) + flags.replace(" ", ""))
        sub.mkdir()
        x = np.zeros((1, FRAMES), dtype=np.float32)
        x[0, 1000] = 1.0
        run, outs = pdtest.render(f"nn~ {flags} {pdtest.model('rate44k.ts')} forward {B}", list(x), 1,
                                  FRAMES, str(sub), messages=messages, at=[(200, "bang")])
        run.check_alive()
        assert run.errors == [], "\n".join(run.errors)
        info = run.info()
        latency = int(float(info["latency"][0]))
        assert info["samplerate"] == [rate], info
        assert int(np.argmax(np.abs(outs[0]))) == 1000 + latency, (flags, messages, latency)
        assert echo_delay(outs[0], 1000 + latency - 5) == expected, (flags, messages)
        if expected == 441:
            assert latency == 2 * B - 64
            notes = [line for line in run.lines if "declares 44100 Hz" in line and "out of tune" in line]
            assert len(notes) == 1 and "48000 Hz" in notes[0], run.lines

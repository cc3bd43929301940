"""nn~ in C — the Max objects nn~, mc.nn~, mcs.nn~ and nn.info through the Max test host.

Each test writes a script for nn_maxhost (tests/max/README.md), renders through the real
external (built from src/max on the object layer) and compares with Python torch running
the same model file. Offline objects (@offline 1) make renders deterministic; the latency
of an offline stream is 2B - n samples (n = vector size).
SPDX-License-Identifier: MIT
"""
import os
import sys

import numpy as np
import pytest
import torch

sys.path.insert(0, os.path.dirname(__file__))
import maxhost  # noqa: E402

EXT = os.environ.get("NN_MAX_EXTERNALS", "")
MODELS = os.environ.get("NN_TEST_MODELS", "")
VS = 64


def model(name):
    return os.path.join(MODELS, name)


def load_all():
    return "".join(f"load {EXT}/{name}.mxl\n" for name in ("nn~", "mc.nn~", "mcs.nn~", "nn.info"))


def signal(frames, channels, seed=1):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, size=(frames, channels)).astype(np.float32)


def render(tmp_path, create, dsp_in, x, out_channels, before="", after=""):
    """Creates object `a` with `create`, runs dsp with input channels `dsp_in` (list per
    inlet), performs `x` ([frames, total input channels]) and returns [frames, out_channels]."""
    maxhost.write_f32(tmp_path / "in.f32", x)
    frames = x.shape[0]
    proc = maxhost.run_script(
        load_all() + f"new a {create}\n" + before +
        f"dsp a sr=48000 vs={VS} in={','.join(str(c) for c in dsp_in)}\n"
        f"perform a {frames} {tmp_path}/in.f32 {tmp_path}/out.f32\n" + after +
        "expect-console-errors 0\nprint-console\nprint-outlets a\n",
        tmp_path)
    return maxhost.read_f32(tmp_path / "out.f32", out_channels), proc.stdout


def torch_run(name, method, x_bct):
    module = torch.jit.load(model(name))
    with torch.no_grad():
        return getattr(module, method)(torch.from_numpy(np.ascontiguousarray(x_bct))).numpy()


def test_nn_tilde_multi_matches_torch(tmp_path):
    b = 256
    x = signal(4096, 3)
    y, out = render(tmp_path, f"nn~ {model('multi.ts')} forward {b} @offline 1", [1, 1, 1], x, 2,
                    after="send a bang\nmain 50\n")
    lat = 2 * b - VS
    ref = torch_run("multi.ts", "forward", x.T[None])[0].T
    np.testing.assert_allclose(y[lat:], ref[:-lat], atol=1e-6)
    assert not np.any(y[:lat])
    assert f"latency {lat}" in out and "mode offline" in out, out


def test_nn_tilde_set_and_assist(tmp_path):
    b = 128
    x = signal(2048, 1)
    y, out = render(tmp_path, f"nn~ {model('gain.ts')} forward {b} @offline 1", [1], x, 1,
                    before="send a set gain 0.25\nexpect-assist a in 0 (signal) input\n"
                           "expect-assist a out 0 (signal) input times gain\n")
    lat = 2 * b - VS
    np.testing.assert_allclose(y[lat:, 0], 0.25 * x[:-lat, 0], atol=1e-6)


def test_mc_nn_tilde_batches(tmp_path):
    """mc.nn~: one cord per model dimension, its channels are batch examples; @chans larger
    and smaller than the batch count."""
    b = 128
    lat = 2 * b - VS
    batch = 3
    x = signal(1024, 2 * batch)  # inlet 0: channels 0..2, inlet 1: channels 3..5
    for chans, shown in ((0, batch), (5, batch), (2, 2)):
        d = tmp_path / f"chans{chans}"
        d.mkdir()
        y, _ = render(d, f"mc.nn~ {model('batch.ts')} forward {b} @offline 1 @chans {chans}", [batch, batch], x,
                      2 * (chans or batch))
        width = chans or batch
        for c in range(2):
            for k in range(width):
                got = y[lat:, c * width + k]
                if k < batch and k < shown:
                    want = x[:-lat, c * batch + k] + 10.0 * k + 100.0 * c
                    np.testing.assert_allclose(got, want, atol=1e-4, err_msg=f"chans {chans} outlet {c} ch {k}")
                else:
                    assert not np.any(got), f"chans {chans}: outlet {c} channel {k} should be silent"


def test_mcs_nn_tilde_examples(tmp_path):
    """mcs.nn~: one cord per batch example, its channels are the model's dimensions."""
    b = 128
    lat = 2 * b - VS
    examples = 3
    x = signal(1024, 2 * examples)  # inlet e: channels 2e, 2e+1
    y, out = render(tmp_path, f"mcs.nn~ {model('batch.ts')} forward {examples} {b} @offline 1 @chans 4",
                    [2] * examples, x, 4 * examples, after="send a bang\nmain 50\n")
    for e in range(examples):
        for c in range(4):
            got = y[lat:, e * 4 + c]
            if c < 2:
                np.testing.assert_allclose(got, x[:-lat, 2 * e + c] + 10.0 * e + 100.0 * c, atol=1e-4)
            else:
                assert not np.any(got)
    assert "batch 3" in out, out


def test_void_then_load(tmp_path):
    b = 256
    x = signal(4096, 1)
    maxhost.write_f32(tmp_path / "in.f32", x)
    proc = maxhost.run_script(
        load_all() + f"new a nn~ void 1 2 {b} @offline 1\n"
        "expect-assist a out 1 (signal) model output 2\n"
        f"dsp a sr=48000 vs={VS} in=1\n"
        f"perform a 1024 {tmp_path}/in.f32 {tmp_path}/silence.f32\n"
        f"send a load {model('gain.ts')}\nmain 10\n"
        f"perform a 4096 {tmp_path}/in.f32 {tmp_path}/out.f32\n"
        "expect-console post missing inputs are silent, extra outputs are dropped\n"
        "expect-console-errors 0\n", tmp_path)
    assert not np.any(maxhost.read_f32(tmp_path / "silence.f32", 2)), proc.stdout
    y = maxhost.read_f32(tmp_path / "out.f32", 2)
    lat = 2 * b - VS
    np.testing.assert_allclose(y[lat:, 0], x[:-lat, 0], atol=1e-6)
    assert not np.any(y[:, 1])


def test_mcs_void_then_load_and_method(tmp_path):
    """mcs.nn~ void 2 256: two example cords and no model; `load multi.ts` gives each outlet the
    method's two outputs (DSP recompiled), `method swap` swaps them, at the predicted latency."""
    b = 256
    lat = 2 * b - VS
    x = signal(4096, 6)  # cord e carries channels 3e..3e+2 (multi.ts forward takes 3)
    maxhost.write_f32(tmp_path / "in.f32", x)
    maxhost.run_script(
        load_all() + f"new a mcs.nn~ void 2 {b} @offline 1\n"
        f"dsp a sr=48000 vs={VS} in=3,3\nperform a 512 - -\n"
        f"send a load {model('multi.ts')}\nmain 10\n"
        f"perform a 4096 {tmp_path}/in.f32 {tmp_path}/forward.f32\n"
        "send a method swap\nwait 3000\n"
        f"perform a 4096 {tmp_path}/in.f32 {tmp_path}/swap.f32\n"
        "expect-console-errors 0\n", tmp_path)
    y = maxhost.read_f32(tmp_path / "forward.f32", 4)
    for e in range(2):
        xe = x[:-lat, 3 * e:3 * e + 3]
        np.testing.assert_allclose(y[lat:, 2 * e], xe[:, 0] + xe[:, 1], atol=1e-6)
        np.testing.assert_allclose(y[lat:, 2 * e + 1], 2 * xe[:, 2], atol=1e-6)
    y = maxhost.read_f32(tmp_path / "swap.f32", 4)
    for e in range(2):
        xe = x[:-lat, 3 * e:3 * e + 3]
        np.testing.assert_allclose(y[lat:, 2 * e], xe[:, 1], atol=1e-6)
        np.testing.assert_allclose(y[lat:, 2 * e + 1], xe[:, 0], atol=1e-6)


def test_buffer_and_array_attributes(tmp_path):
    """A buffer~ feeds a buffer attribute (all channels, its own rate), an [array] a tensor
    attribute; @track_buffers re-reads the buffer~ when it changes."""
    table = " ".join(str(0.5 * i) for i in range(8))
    samples = np.linspace(-1, 1, 64 * 2).astype(np.float32)
    maxhost.write_f32(tmp_path / "buf.f32", samples)
    proc = maxhost.run_script(
        load_all() + f"array tab {table}\n"
        f"buffer snd {tmp_path}/buf.f32 channels=2 sr=22050\n"
        f"new a nn~ {model('attrs.ts')} forward 256 @track_buffers 1\n"
        "send a set table tab\nsend a set sample snd\nwait 3000 console\n"
        "send a get table\nsend a get sample\nwait 3000\n"
        "print-outlets a\nprint-console\nexpect-console-errors 0\n", tmp_path)
    assert "value table" in proc.stdout and "value sample" in proc.stdout, proc.stdout
    sample_line = [l for l in proc.stdout.splitlines() if "value sample" in l][0]
    assert "shape=[2, 64]" in sample_line and "sr=22050" in sample_line, sample_line

    # @track_buffers: the buffer~ changes (one channel, 48 kHz, 100 frames) and the attribute follows.
    maxhost.write_f32(tmp_path / "buf2.f32", np.linspace(0, 0.5, 100).astype(np.float32))
    proc = maxhost.run_script(
        load_all() + f"buffer snd {tmp_path}/buf.f32 channels=2 sr=22050\n"
        f"new a nn~ {model('attrs.ts')} forward 256 @track_buffers 1\n"
        "send a set sample snd\nwait 2000\n"
        f"buffer snd {tmp_path}/buf2.f32 channels=1 sr=48000\nwait 2000 console snd changed: set sample again\n"
        "send a get sample\nwait 2000\nprint-outlets a\nexpect-console-errors 0\n", tmp_path)
    sample_line = [l for l in proc.stdout.splitlines() if "value sample" in l][-1]
    assert "shape=[1, 100]" in sample_line and "sr=48000" in sample_line, sample_line


def test_nn_info(tmp_path):
    """nn.info's six outlets and its model dictionary, checked against the metadata Python
    torch read from the same file (models/meta/*.json)."""
    import json
    for name in ("multi", "attrs"):
        with open(os.path.join(MODELS, "meta", f"{name}.json")) as handle:
            meta = json.load(handle)
        d = tmp_path / name
        d.mkdir()
        proc = maxhost.run_script(
            load_all() + f"new i nn.info {model(name + '.ts')} @dict info_{name}\nsend i path\nsend i bang\n"
            f"print-outlets i\nprint-dict info_{name}\nexpect-console-errors 0\n", d)
        lines = proc.stdout.splitlines()
        outlet = {k: [l.split(": ", 1)[1] for l in lines if l.startswith(f"outlet {k}: ")] for k in range(6)}
        assert outlet[0] == [f"symbol {model(name + '.ts')}"], outlet[0]
        assert outlet[1] == [f"method {m['name']}" for m in meta["methods"]], outlet[1]
        assert outlet[2] == [f"attribute {a['name']}" for a in meta["attributes"]], outlet[2]
        for m in meta["methods"]:
            cin, rin, cout, rout = m["params"]
            for key, value in (("channels_in", cin), ("channels_out", cout), ("ratio_in", rin), ("ratio_out", rout)):
                assert f"{m['name']} {key} {value}" in outlet[3], (m, key, outlet[3])
        types = {0: "bool", 1: "int", 2: "float", 3: "string", 4: "tensor", 5: "buffer"}
        for a in meta["attributes"]:
            want = " ".join(types[t] for t in a["types"])
            assert f"{a['name']} attribute_type {want}" in outlet[3], (a, outlet[3])
        assert outlet[4] == [f"dictionary info_{name}"], outlet[4]
        text = [l for l in lines if l.startswith(f"dict info_{name}: ")][0]
        for m in meta["methods"]:
            assert f'"{m["name"]}"' in text and f'"channels_in": {m["params"][0]}' in text, text
            assert f'"ratio_out": {m["params"][3]}' in text, text
        for a in meta["attributes"]:
            assert f'"{a["name"]}"' in text, text
    proc = maxhost.run_script(
        load_all() + f"new i nn.info {model('multi.ts')}\nsend i parameters nosuch\n"
        "expect-console-error neither a method nor an attribute\nnew j nn.info nosuchmodel\n"
        "expect-console-error could not find model\nsend j methods\nexpect-console-error no model loaded\n", tmp_path)


def test_bad_model_files(tmp_path):
    """The Pd suite's bad model files, in all three Max objects: one clear error each, and an
    object that still creates, answers bang and runs DSP (silence)."""
    bad = os.path.join(MODELS, "bad")
    files = sorted(os.listdir(bad))
    assert files, f"no bad model files in {bad}"
    script = load_all()
    for i, name in enumerate(files):
        path = os.path.join(bad, name)
        for cls, args in (("nn~", f"{path} forward 256"), ("mc.nn~", f"{path} forward 256"),
                          ("mcs.nn~", f"{path} forward 2 256")):
            oid = f"o{i}{cls.replace('.', '').replace('~', '')}"
            script += (f"clear-console\nnew {oid} {cls} {args}\nexpect-console-errors 1\n"
                       f"send {oid} bang\nexpect-outlet {oid} any loaded 0\n"
                       f"dsp {oid} sr=48000 vs=64 in=1\nperform {oid} 256 - -\ndelete {oid}\n")
    maxhost.run_script(script, tmp_path)


def test_bad_inputs_survive(tmp_path):
    """Every bad input gets one clear console error and the object keeps working."""
    missing = tmp_path / "nosuch.ts"
    corrupt = tmp_path / "corrupt.ts"
    corrupt.write_bytes(b"not a model at all")
    script = load_all() + f"""new a nn~ {missing} forward 256
expect-console-error could not find model
new b nn~ {corrupt} forward 256
expect-console-error could not load model
new c nn~ {model('gain.ts')} nosuch 256
expect-console-error has no method 'nosuch'
send c set nosuch 1
expect-console-error has no attribute 'nosuch'
send c set gain abc
expect-console-error a number was expected, got 'abc'
send c bufsize 99999999
expect-console-error out of range
send c method swap
expect-console-error has no method 'swap'
send c frobnicate 1
expect-console-error no method for 'frobnicate'
new d mc.nn~ {model('batch.ts')} forward 256 @chans -1
expect-console-error chans must be 0 (automatic)
new e nn~ {model('attrs.ts')} forward 256
send e set sample nosuchbuffer
expect-console-error there is no buffer~ named 'nosuchbuffer'
new f nn~ {model('gain.ts')} forward 64
dsp f sr=48000 vs=128 in=1
expect-console-error buffer size 64 is not a multiple of the vector size 128
perform f 512 - -
new g nn~ {model('slow.ts')} forward 256
dsp g sr=48000 vs=64 in=1
perform g 1024 - -
delete g
new h nn~ void
expect-console-error void needs the number of inlets
new k nn~ {model('gain.ts')} -offline 256
expect-console-error flag '-offline' after the model name is ignored: flags go before the model name
"""
    proc = maxhost.run_script(script, tmp_path)
    assert proc.returncode == 0


FIXTURES = os.environ.get("NN_TEST_FIXTURES", "")


def demo_mc(method, layout, examples, chans):
    """Renders IRCAM's demo_mc.ts `method` (3 in, 3 out, ratio 2048) with `examples` batch
    examples through mc.nn~ or mcs.nn~ @chans `chans`; returns [example][dimension][frames]
    of what the object output (missing channels as None) and the input in the same shape."""
    path = os.path.join(FIXTURES, "demo_mc.ts")
    assert os.path.exists(path), f"IRCAM fixture missing: {path}"
    b, frames = 2048, 4 * 2048
    x = signal(frames, 3 * examples, seed=7)
    import tempfile
    import pathlib
    tmp = pathlib.Path(tempfile.mkdtemp(dir=os.environ.get("NN_MAX_TMP")))
    if layout == "mc":
        create, cords = f"mc.nn~ {path} {method} {b} @offline 1 @chans {chans}", [examples] * 3
        width = chans or examples
        n_out = 3 * width
    else:
        create, cords = f"mcs.nn~ {path} {method} {examples} {b} @offline 1 @chans {chans}", [3] * examples
        width = chans or 3
        n_out = examples * width
    y, _ = render(tmp, create, cords, x, n_out)
    got = [[None] * 3 for _ in range(examples)]
    xin = [[None] * 3 for _ in range(examples)]
    for e in range(examples):
        for c in range(3):
            xin[e][c] = x[:, c * examples + e] if layout == "mc" else x[:, e * 3 + c]
            if layout == "mc" and e < width:
                got[e][c] = y[:, c * width + e]
            elif layout == "mcs" and c < width:
                got[e][c] = y[:, e * width + c]
    silent = [y[:, j] for j in range(n_out)
              if (layout == "mc" and j % width >= examples) or (layout == "mcs" and j % width >= 3)]
    return got, xin, silent, 2 * b - VS


def decimated_hold(x, ratio):
    """The contract's input decimation (last sample of each group) and output hold."""
    return np.repeat(x[ratio - 1::ratio], ratio)


@pytest.mark.parametrize("layout,examples,chans", [("mc", 2, 0), ("mc", 2, 4), ("mc", 3, 1),
                                                    ("mcs", 2, 0), ("mcs", 2, 5), ("mcs", 2, 2)])
@pytest.mark.parametrize("method", ["batch", "channel", "identity"])
def test_demo_mc_fixture_layouts(method, layout, examples, chans):
    got, xin, silent, lat = demo_mc(method, layout, examples, chans)
    for e in range(examples):
        for c in range(3):
            if got[e][c] is None:
                continue
            y = got[e][c][lat:]
            want = {"batch": np.full_like(y, e), "channel": np.full_like(y, c),
                    "identity": decimated_hold(xin[e][c], 2048)[:len(y)]}[method]
            np.testing.assert_allclose(y, want, atol=1e-6, err_msg=f"{method} {layout} example {e} dim {c}")
    for s in silent:
        assert not np.any(s), f"{method} {layout} @chans {chans}: extra channels must be silent"


def test_fifo_on_search_path_refused(tmp_path):
    """A named pipe called like a model on Max's search path (or given as a path) is refused
    with a message, in nn~ and on `load`, and nn.info: nothing opens it (opening a FIFO would
    block Max's main thread until a writer came)."""
    folder = tmp_path / "search"
    folder.mkdir()
    os.mkfifo(folder / "fifo.ts")
    proc = maxhost.run_script(
        load_all() + f"searchpath {folder}\n"
        "new a nn~ fifo forward 256\nexpect-console-error fifo.ts: is not a regular file\n"
        f"new b nn~ {model('gain.ts')} forward 256\nclear-console\nsend b load fifo\n"
        "wait 10000 console is not a regular file\nexpect-console-errors 1\nclear-console\n"
        f"send b load {folder}/fifo.ts\nwait 10000 console is not a regular file\n"
        "expect-console-errors 1\nclear-console\n"
        "new i nn.info fifo\nexpect-console-error is not a regular file\n"
        "send b bang\nexpect-outlet b any loaded 1\n", tmp_path)
    assert proc.returncode == 0


def test_package_models_by_bare_name(tmp_path):
    """The package's models folder (next to externals/) is searched by bare name."""
    proc = maxhost.run_script(
        load_all() + "new a nn~ nn_effects saturate 4096\nnew i nn.info nn_hpss\nsend i path\n"
        "expect-outlet i 0 nn_hpss.ts\nnew b nn~ nosuchmodel\n"
        "expect-console-error nn_tilde_max/models/nosuchmodel.ts\n", tmp_path)
    assert "ok" in proc.stdout


def test_model_at_its_own_rate(tmp_path):
    """rate44k.ts declares 44100 Hz; Max runs at 48 kHz: nn~ resamples (the shared layer and
    engine), matches the Python reference (libsamplerate by ctypes + torch) once aligned by the
    latency bang reports, says so in one console line; `resample 0` runs it at 48 kHz."""
    import re
    import subprocess
    b, frames = 4096, 8 * 4096
    x = signal(frames, 1) * 0.5
    y, out = render(tmp_path, f"nn~ {model('rate44k.ts')} forward {b} @offline 1", [1], x, 1,
                    after="send a bang\nmain 50\n")
    lat = int(re.search(r"latency (\d+)", out).group(1))
    assert lat > 2 * b - VS + 4400, out
    assert "samplerate 44100" in out and "resample 1" in out, out
    assert len(re.findall(r"declares 44100 Hz, the patch runs at 48000 Hz: resampling", out)) == 1, out
    src, dst = tmp_path / "ref_in.f32", tmp_path / "ref_out.f32"
    x[:, 0].astype(np.float32).tofile(src)
    script = os.path.join(os.path.dirname(__file__), "..", "stream", "resample_reference.py")
    subprocess.run([sys.executable, script, model("rate44k.ts"), "forward", "48000", "44100", str(b), str(src),
                    str(dst)], check=True)
    ref = np.fromfile(dst, dtype=np.float32)
    n = frames - lat - 2048
    assert not np.any(y[:lat])
    np.testing.assert_allclose(y[lat:lat + n, 0], ref[:n], atol=1e-5)
    assert np.abs(ref[:n]).max() > 0.1

    d = tmp_path / "off"
    d.mkdir()
    y, out = render(d, f"nn~ {model('rate44k.ts')} forward {b} @offline 1", [1], x, 1,
                    before="send a resample 0\n", after="send a bang\nmain 50\n")
    assert f"latency {2 * b - VS}" in out and "samplerate 48000" in out and "resample 0" in out, out
    assert "out of tune" in out, out

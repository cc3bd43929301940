# SPDX-License-Identifier: MIT
"""Helpers for the Pure Data tests: build a patch, run it in a real headless Pd, read what
it printed and the sound files it wrote, and compute what Python torch says the same model
gives on the same input.

Patches run in the Pd named by NN_PD_EXECUTABLE (version NN_PD_VERSION, e.g. 0.53 or 0.56) as
`pd -nogui -batch -nosound -stderr -r 48000 -path <build>/src/pd -path
<build>/models -open test.pd` in a fresh folder per test, with NN_TILDE_MODELS_DIR pointing
into it (no test touches the user's models folder). In -batch every [nn~] renders offline
(src/pd detects it): the tests of threaded behaviour (late blocks, deletion while the worker
runs, -l) run Pd on the wall clock instead (`realtime=True`: -nrt in place of -batch). Audio is recorded with [tabwrite~] into
arrays and written with [soundfiler] before `pd quit` (writesf~ races the exit). In the
RealtimeSanitizer build, NN_PD_PRELOAD names the sanitizer runtime, preloaded into Pd so
that the instrumented externals report to it.
"""
import contextlib
import os
import re
import shutil
import struct
import subprocess
import sys

import numpy as np

SR = 48000


def _env(name):
    value = os.environ.get(name)
    if not value:
        raise AssertionError(f"{name} is not set: run the Pd tests through ctest")
    return value


BUILD = _env("NN_TEST_BUILD")
MODELS = _env("NN_TEST_MODELS")
FIXTURES = _env("NN_TEST_FIXTURES")
SOURCE = _env("NN_TEST_SOURCE")
EXTERNALS = os.environ.get("NN_PD_EXTERNALS") or os.path.join(BUILD, "src", "pd")


def _pd_version(pd):
    """The version a Pd prints for -version (Debian's does; Pd 0.56 built headless does not)."""
    proc = subprocess.run([pd, "-version"], capture_output=True, text=True, timeout=30)
    found = re.search(r"Pd-(\d+\.\d+\.\d+)", proc.stdout + proc.stderr)
    if not found:
        raise AssertionError(f"{pd} -version does not name a Pd version; set NN_PD_EXECUTABLE and NN_PD_VERSION")
    return found.group(1)


# Which Pd runs the patches: ctest registers every Pd test once per version (pd053_*,
# pd056_*) with NN_PD_EXECUTABLE and NN_PD_VERSION. Other suites that borrow these helpers
# without setting them get the system's pd, whose version is asked.
PD = os.environ.get("NN_PD_EXECUTABLE")
if PD:
    PD_VERSION = _env("NN_PD_VERSION")
else:
    PD = shutil.which("pd") or "/usr/bin/pd"
    PD_VERSION = _pd_version(PD)
PD_MISSING = os.environ.get("NN_PD_MISSING")
if PD_MISSING:
    raise AssertionError(f"Pd {PD_VERSION} cannot run: {PD_MISSING}")
if not os.access(PD, os.X_OK):
    raise AssertionError(f"Pd {PD_VERSION} program {PD} is missing: build the 'pd56' target (cmake/pd56.cmake)")
# Multichannel signals ([snake~], signal_setmultiout) exist from Pd 0.54 on.
PD_MULTICHANNEL = tuple(int(v) for v in PD_VERSION.split(".")[:2]) >= (0, 54)


def model(name):
    """Path of a generated test model; fails (never skips) when it is missing."""
    path = os.path.join(MODELS, name)
    if not os.path.exists(path):
        raise AssertionError(f"generated model {path} is missing: build the 'models' target")
    return path


def fixture(name):
    path = os.path.join(FIXTURES, name)
    if not os.path.exists(path):
        raise AssertionError(f"fixture model {path} is missing (see ../shared/fixtures/models)")
    return path


def external(name):
    path = os.path.join(EXTERNALS, name)
    if not os.path.exists(path):
        raise AssertionError(f"Pd external {path} is missing: build the Pd objects")
    return path


def escape(text):
    """Escapes commas, semicolons and dollars for a Pd file (message boxes keep `\\;`)."""
    text = re.sub(r"(?<!\\)\$", r"\\$", text)
    return re.sub(r"\s*(?<!\\),\s*", r" \\, ", text)


class Patch:
    """A Pd patch built object by object; indices are returned for connections."""

    def __init__(self, name=None, block=None, declare=None):
        self.header = f"#N canvas 0 0 800 600 {name} 0;" if name else "#N canvas 0 0 800 600 12;"
        self.lines = []
        self.connections = []
        self.count = 0
        if declare:
            # As Pd saves a [declare]: the `#X declare` line applies it while the file
            # loads (before the objects below are created), the object shows it.
            self.header += f"\n#X declare {declare};"
            self.obj(f"declare {declare}")
        if block:
            self.obj(f"block~ {block}")

    def _add(self, line):
        self.lines.append(line)
        self.count += 1
        return self.count - 1

    def obj(self, text):
        return self._add(f"#X obj 10 {10 + 20 * self.count} {text};")

    def msg(self, text):
        return self._add(f"#X msg 10 {10 + 20 * self.count} {text};")

    def connect(self, a, outlet, b, inlet):
        self.connections.append(f"#X connect {a} {outlet} {b} {inlet};")

    def sub(self, patch, name):
        self.lines.append(patch.render().rstrip("\n"))
        return self._add(f"#X restore 400 {10 + 20 * self.count} pd {name};")

    def render(self):
        return "\n".join([self.header] + self.lines + self.connections) + "\n"


class PdRun:
    def __init__(self, proc, workdir):
        self.rc = proc.returncode
        self.output = proc.stderr + proc.stdout
        self.lines = [line for line in self.output.splitlines() if line.strip()]
        self.workdir = workdir

    @property
    def errors(self):
        return [line for line in self.lines if line.startswith("error:")]

    def printed(self, tag):
        """Token lists of every `[print tag]` line, in order."""
        prefix = tag + ":"
        return [line[len(prefix):].split() for line in self.lines if line.startswith(prefix)]

    def info(self, tag="info"):
        """The last value of each info message printed by `[print tag]` (selector -> tokens)."""
        result = {}
        for tokens in self.printed(tag):
            if tokens:
                result[tokens[0]] = tokens[1:]
        return result

    def check_alive(self):
        """Pd exited normally, no sanitizer spoke, no object failed to create."""
        report = "\n".join(self.lines[-60:])
        assert self.rc == 0, f"pd exited with {self.rc}:\n{report}"
        for bad in ("RealtimeSanitizer", "AddressSanitizer", "ThreadSanitizer", "runtime error:",
                    "couldn't create", "Segmentation"):
            assert bad not in self.output, f"'{bad}' in Pd's output:\n{report}"
        assert "done: bang" in self.output, f"the patch did not reach its end:\n{report}"

    def read(self, name):
        return read_wav(os.path.join(self.workdir, name))


def pd_command(patch, workdir, args=(), models_on_path=True, bare=False, realtime=False):
    """Writes `patch` to <workdir>/test.pd; returns the Pd command line that opens it and its
    environment (a fresh per-user models folder in `workdir`, the sanitizer preload).
    `bare`: neither the build tree's externals nor its models on Pd's path, and no saved
    preferences (-noprefs): only what `args` adds, as on a user's machine. `realtime`: Pd
    without -batch, its scheduler on the wall clock (-nosound, -nrt: no real-time priority),
    where a threaded [nn~] stays threaded (in -batch every [nn~] renders offline)."""
    path = os.path.join(workdir, "test.pd")
    with open(path, "w") as handle:
        handle.write(patch.render() if isinstance(patch, Patch) else patch)
    env = dict(os.environ)
    env["NN_TILDE_MODELS_DIR"] = os.path.join(workdir, "user_models")
    os.makedirs(env["NN_TILDE_MODELS_DIR"], exist_ok=True)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    preload = os.environ.get("NN_PD_PRELOAD")
    if preload:
        env["LD_PRELOAD"] = preload
    search = ["-path", MODELS] if models_on_path and not bare else []
    externals = ["-noprefs"] if bare else ["-path", EXTERNALS]
    mode = ["-nrt"] if realtime else ["-batch"]
    command = [PD, "-nogui", *mode, "-nosound", "-stderr", "-r", str(SR), *externals, *search, *args,
               "-open", path]
    return command, env


def run_pd(patch, workdir, timeout=240, args=(), models_on_path=True, bare=False, realtime=False):
    command, env = pd_command(patch, workdir, args, models_on_path, bare, realtime)
    try:
        proc = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        out = (exc.stderr or b"")
        out = out.decode(errors="replace") if isinstance(out, bytes) else out
        raise AssertionError(f"pd did not finish in {timeout} s:\n{out[-4000:]}")
    return PdRun(proc, workdir)


# ---- sound files ---------------------------------------------------------------------------

def write_wav(path, samples):
    """Writes a mono 32-bit float WAV file."""
    data = np.asarray(samples, dtype="<f4").tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, SR, SR * 4, 4, 32)
    with open(path, "wb") as handle:
        handle.write(b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(data)) + b"WAVE")
        handle.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt)
        handle.write(b"data" + struct.pack("<I", len(data)) + data)


def read_wav(path):
    """Reads a WAV file written by Pd's soundfiler (-bytes 4: float) into [channels, frames]."""
    if not os.path.exists(path):
        raise AssertionError(f"Pd did not write {path}")
    with open(path, "rb") as handle:
        blob = handle.read()
    assert blob[:4] == b"RIFF" and blob[8:12] == b"WAVE", f"{path} is not a WAV file"
    pos, fmt, data = 12, None, None
    while pos + 8 <= len(blob):
        cid, size = blob[pos:pos + 4], struct.unpack("<I", blob[pos + 4:pos + 8])[0]
        body = blob[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
        elif cid == b"data":
            data = body
        pos += 8 + size + (size & 1)
    assert fmt and data is not None, f"{path} has no fmt or data chunk"
    tag, channels, _, _, _, bits = fmt
    if bits == 32 and tag in (3, 0xFFFE):
        frames = np.frombuffer(data, dtype="<f4")
    elif bits == 16:
        frames = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    else:
        raise AssertionError(f"{path}: unexpected WAV format {fmt}")
    return frames.reshape(-1, channels).T.copy()


def test_signal(frames, seed=7, channels=1):
    """Deterministic sines plus noise, amplitude below 1."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames) / SR
    out = []
    for c in range(channels):
        f = 110.0 * (c + 1)
        out.append(0.4 * np.sin(2 * np.pi * f * t) + 0.2 * np.sin(2 * np.pi * 3.3 * f * t + c)
                   + 0.1 * rng.uniform(-1, 1, frames))
    return np.array(out, dtype=np.float32)


# ---- a render patch ------------------------------------------------------------------------

def render(obj, inputs, n_outputs, out_frames, workdir, messages=(), block=None, at=(),
           extra_main=None, timeout=240, info_tag="info", realtime=False):
    """Plays `inputs` ([channels][frames]) through the object `obj` (e.g. 'nn~ -offline gain')
    and records `n_outputs` outlets for `out_frames` samples, starting in the same DSP tick as
    the object sees its first samples. `messages` go to the object after DSP is on and before
    the first tick; `at` is a list of (milliseconds, message) sent later; the object is banged
    for its info (printed as `info:`) right after `messages`. Returns (PdRun, [outputs])."""

    def wire(sub, players, recorders, to_nn):
        nn = sub.obj(obj)
        printer = sub.obj(f"print {info_tag}")
        sub.connect(to_nn, 0, nn, 0)
        sub.connect(nn, n_outputs, printer, 0)
        for i, play in enumerate(players):
            sub.connect(play, 0, nn, i)
        for j, rec in enumerate(recorders):
            sub.connect(nn, j, rec, 0)

    return render_patch(wire, inputs, n_outputs, out_frames, workdir, messages=messages, block=block, at=at,
                        extra_main=extra_main, timeout=timeout, realtime=realtime)


def render_patch(wire, inputs, n_outputs, out_frames, workdir, messages=(), block=None, at=(), extra_main=None,
                 timeout=240, pd_args=(), bare=False, declare=None, realtime=False):
    """As `render`, for any graph: `wire(sub, players, recorders, to_nn)` adds the objects to
    the DSP subpatch `sub` and connects them: players[i] is the [tabplay~] of input i,
    recorders[j] the [tabwrite~] of output j, and `to_nn` the [r nn-in] that carries
    `messages`, `at` and the bang. `pd_args`, `bare` and `realtime` go to run_pd; `declare` (e.g.
    "-path folder") is the main patch's [declare]."""
    sub = Patch("dsp", block=block)
    start = sub.obj("r start")
    to_nn = sub.obj("r nn-in")
    players = []
    for i, _ in enumerate(inputs):
        players.append(sub.obj(f"tabplay~ in{i}"))
        sub.connect(start, 0, players[-1], 0)
    recorders = []
    for j in range(n_outputs):
        recorders.append(sub.obj(f"tabwrite~ out{j}"))
        sub.connect(start, 0, recorders[-1], 0)
    wire(sub, players, recorders, to_nn)

    main = Patch(declare=declare)
    for i, channel in enumerate(inputs):
        write_wav(os.path.join(workdir, f"in{i}.wav"), channel)
        main.obj(f"array define in{i} {len(channel)}")
    for j in range(n_outputs):
        main.obj(f"array define out{j} {out_frames}")
    main.sub(sub, "dsp")
    load = main.obj("loadbang")
    send_nn = main.obj("s nn-in")
    if extra_main:
        extra_main(main, load, send_nn)
    order = main.obj("t b b b")
    main.connect(load, 0, order, 0)
    reader = main.obj("soundfiler")
    for i, _ in enumerate(inputs):
        m = main.msg(f"read in{i}.wav in{i}")
        main.connect(order, 2, m, 0)
        main.connect(m, 0, reader, 0)
    dsp_on = main.msg("\\; pd dsp 1")
    main.connect(order, 1, dsp_on, 0)
    for text in messages:
        m = main.msg(escape(text))
        main.connect(order, 1, m, 0)
        main.connect(m, 0, send_nn, 0)
    go = main.msg("\\; start bang \\; nn-in bang")
    main.connect(order, 0, go, 0)
    for ms, text in at:
        delay = main.obj(f"delay {ms}")
        m = main.msg(escape(text))
        main.connect(load, 0, delay, 0)
        main.connect(delay, 0, m, 0)
        main.connect(m, 0, send_nn, 0)
    end = main.obj(f"delay {out_frames * 1000.0 / SR + 20:.3f}")
    main.connect(load, 0, end, 0)
    final = main.obj("t b b b")
    main.connect(end, 0, final, 0)
    writer = main.obj("soundfiler")
    for j in range(n_outputs):
        m = main.msg(f"write -wave -bytes 4 out{j}.wav out{j}")
        main.connect(final, 2, m, 0)
        main.connect(m, 0, writer, 0)
    done = main.obj("print done")
    main.connect(final, 1, done, 0)
    quit_msg = main.msg("\\; pd quit")
    main.connect(final, 0, quit_msg, 0)
    result = run_pd(main, workdir, timeout=timeout, args=pd_args, bare=bare, realtime=realtime)
    outputs = [result.read(f"out{j}.wav")[0] for j in range(n_outputs)] if result.rc == 0 else []
    return result, outputs


def quit_after(main, source, outlet=0):
    """When `source` sends on `outlet`: prints `done: bang`, then quits Pd."""
    order = main.obj("t b b")
    main.connect(source, outlet, order, 0)
    done = main.obj("print done")
    main.connect(order, 1, done, 0)
    quit_msg = main.msg("\\; pd quit")
    main.connect(order, 0, quit_msg, 0)


def finish(main, after_ms=200, dsp=True):
    """Adds DSP on at load, and `done: bang` then `pd quit` after `after_ms`."""
    load = main.obj("loadbang")
    if dsp:
        on = main.msg("\\; pd dsp 1")
        main.connect(load, 0, on, 0)
    end = main.obj(f"delay {after_ms}")
    main.connect(load, 0, end, 0)
    quit_after(main, end)
    return main


@contextlib.contextmanager
def download_server(root):
    """Runs tests/download/server.py (a fake IRCAM Forum API serving gain.ts) on 127.0.0.1
    for the duration of the block; yields the URL of its `root` endpoint."""
    script = os.path.join(SOURCE, "tests", "download", "server.py")
    assert os.path.exists(script), f"{script} is missing"
    server = subprocess.Popen([sys.executable, script, "--model", model("gain.ts")], stdout=subprocess.PIPE,
                              text=True)
    try:
        port = server.stdout.readline().strip()
        if not port.isdigit():
            raise AssertionError(f"server.py did not print its port (got {port!r})")
        yield f"http://127.0.0.1:{port}/{root}/"
    finally:
        server.kill()
        server.wait()


# ---- what torch says -------------------------------------------------------------------------

def torch_blocks(path, method, x, block, reload_each=False):
    """Runs `method` of the model at `path` on x ([in_ch][frames]) block by block (B samples,
    decimated by in_ratio: last sample of each group; output held out_ratio samples), as
    the engine does. Returns [out_ch][frames'] for the complete blocks."""
    import torch
    torch.set_num_threads(1)
    module = torch.jit.load(path)
    params = [int(v) for v in getattr(module, method + "_params").tolist()]
    in_ch, in_ratio, out_ch, out_ratio = params
    fn = getattr(module, method)
    outs = []
    with torch.no_grad():
        for start in range(0, x.shape[1] - block + 1, block):
            chunk = np.zeros((in_ch, block), dtype=np.float32)
            chunk[: min(in_ch, x.shape[0])] = x[:in_ch, start:start + block]
            dec = chunk[:, in_ratio - 1::in_ratio]
            y = fn(torch.from_numpy(np.ascontiguousarray(dec))[None]).numpy()[0]
            outs.append(np.repeat(y, out_ratio, axis=1)[:out_ch])
    return np.concatenate(outs, axis=1)


def assert_aligned(pd_out, expected, latency, atol=1e-5, what="", require_signal=True):
    """pd_out[latency + t] == expected[t] where both exist, and silence before `latency`."""
    n = min(len(pd_out) - latency, len(expected))
    assert n > 0, f"{what}: nothing to compare (latency {latency}, {len(pd_out)} samples)"
    assert np.all(pd_out[:latency] == 0), f"{what}: output before the latency is not silent"
    diff = np.abs(pd_out[latency:latency + n] - expected[:n])
    worst = int(np.argmax(diff))
    assert diff[worst] <= atol, (f"{what}: sample {worst} after the latency differs by {diff[worst]:.3g} "
                                 f"(pd {pd_out[latency + worst]:.6f}, torch {expected[worst]:.6f})")
    if require_signal:
        assert np.abs(expected[:n]).max() > 1e-3, f"{what}: the expected signal is silent, the test proves nothing"

# SPDX-License-Identifier: MIT
"""Mutated models (issue 13): at least 300 mutants of the generated models (truncations, bit
flips, emptied, shortened and removed records, corrupted code and pickles, absurd params, deep
nesting, CRC damage), each loaded by `nntilde info` in its own process and by `[nn~]` in Pd
(a few Pd processes, each creating one object per mutant and sending every tenth a `load`).
No crash, no hang, one clear message each; what the CLI loads, Pd loads too."""
import concurrent.futures
import os
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(__file__)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "pd"))
import mutate  # noqa: E402

COUNT = int(os.environ.get("NN_MUTANTS", "300"))
PD_PROCESSES = 4
JOBS = max(2, os.cpu_count() or 2)


def env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"${name} is not set: run this test through ctest (tests/mutants/CMakeLists.txt)")
    return value


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("mutants")
    names = mutate.mutants(env("NN_TEST_MODELS"), str(out), COUNT)
    assert len(names) >= 300
    return out, names


@pytest.fixture(scope="module")
def cli_results(corpus):
    out, names = corpus
    nntilde = env("NNTILDE")

    def info(name):
        path = str(out / name)
        started = time.time()
        try:
            r = subprocess.run([nntilde, "info", path], capture_output=True, timeout=60)
        except subprocess.TimeoutExpired:
            return name, None, "timed out after 60 s", ""
        try:
            err = r.stderr.decode()
        except UnicodeDecodeError:
            err = "stderr is not valid UTF-8: " + r.stderr.decode(errors="replace")
            return name, "bad text", err, ""
        return name, r.returncode, err, r.stdout.decode(errors="replace")

    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        started = time.time()
        results = {n: (rc, err, out) for n, rc, err, out in pool.map(info, names)}
        print(f"nntilde info on {len(names)} mutants: {time.time() - started:.1f} s")
        return results


def test_cli_one_clear_message_each(corpus, cli_results):
    out, names = corpus
    problems = []
    loaded = 0
    for name in names:
        rc, err, _ = cli_results[name]
        lines = [l for l in (err or "").splitlines() if l.strip()]
        if rc == 0:
            loaded += 1
            continue
        if rc != 3:
            problems.append(f"{name}: exit {rc}: {err[-300:] if err else ''}")
        elif len(lines) != 1 or not lines[0].startswith("nntilde: " + str(out / name) + ": "):
            problems.append(f"{name}: expected one line naming the file, got: {lines}")
    assert not problems, "\n".join(problems)
    # Every kind of damage that cannot be harmless was refused.
    for name in names:
        if any(k in name for k in ("_truncate_", "_crc_", "_empty_record_", "_short_record_")):
            rc, err, _ = cli_results[name]
            if "_empty_record_" in name and rc == 0:
                continue  # an empty tensor's record is legitimately empty
            assert rc == 3, (name, rc, err)
    print(f"{len(names)} mutants: {loaded} loaded, {len(names) - loaded} refused")


def test_pd_survives_every_mutant(corpus, cli_results):
    import pdtest
    import re
    out, names = corpus

    def info_outlet(name):
        """[nn~]'s info outlet follows its signal outlets: one when the load failed."""
        rc, _, stdout = cli_results[name]
        m = re.search(r"out: (\d+) channel", stdout) if rc == 0 else None
        return int(m.group(1)) if m else 1

    started = time.time()
    chunks = [names[i::PD_PROCESSES] for i in range(PD_PROCESSES)]

    def run_chunk(index):
        chunk = chunks[index]
        main = pdtest.Patch()
        load = main.obj("loadbang")
        for i, name in enumerate(chunk):
            nn = main.obj(f"nn~ {out / name}")
            if i % 10 == 0:
                msg = main.msg(f"load {out / name}")
                main.connect(load, 0, msg, 0)
                main.connect(msg, 0, nn, 0)
            pr = main.obj(f"print info{i}")
            main.connect(nn, info_outlet(name), pr, 0)
            bang = main.msg("bang")
            main.connect(load, 0, bang, 0)
            main.connect(bang, 0, nn, 0)
        pdtest.finish(main, after_ms=100, dsp=False)
        work = out.parent / f"pd{index}"
        work.mkdir(exist_ok=True)
        return chunk, pdtest.run_pd(main, str(work), timeout=400)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(run_chunk, range(PD_PROCESSES)))
    print(f"[nn~] in {PD_PROCESSES} Pd processes on {len(names)} mutants: {time.time() - started:.1f} s")
    problems = []
    for chunk, run in runs:
        run.check_alive()
        for i, name in enumerate(chunk):
            rc = cli_results[name][0]
            printed = run.printed(f"info{i}")
            loaded = [t for t in printed if t and t[0] == "loaded"]
            expect = "1" if rc == 0 else "0"
            if not loaded or any(t != ["loaded", expect] for t in loaded):
                problems.append(f"{name}: CLI exit {rc}, Pd printed {loaded}")
            if rc != 0 and not any(name in e for e in run.errors):
                problems.append(f"{name}: Pd printed no error naming it")
    assert not problems, "\n".join(problems[:40])


def test_pd_fifo_on_the_search_path_does_not_hang(tmp_path):
    import pdtest
    os.mkfifo(tmp_path / "fifo.ts")
    main = pdtest.Patch()
    nn = main.obj("nn~")
    load = main.obj("loadbang")
    msg = main.msg("load fifo")
    main.connect(load, 0, msg, 0)
    main.connect(msg, 0, nn, 0)
    main.obj("nn~ fifo")
    pdtest.finish(main, dsp=False)
    run = pdtest.run_pd(main, str(tmp_path), timeout=60, args=("-path", str(tmp_path)))
    run.check_alive()
    refusals = [e for e in run.errors if "fifo.ts is not a regular file" in e]
    assert len(refusals) >= 2, run.errors

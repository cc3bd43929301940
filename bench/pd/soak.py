#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Soak: Pd with a dozen [nn~] in mixed modes under random valid and invalid messages.

Runs Pd on the wall clock (`pd -nogui -nosound -nrt`, DSP on, osc~ into every object) with
12 [nn~] (threaded, -offline and synchronous, buffer sizes 0 to 4096, models gain, stateful,
attrs and ratios) behind [netreceive]; sends random messages over FUDI (valid: bang,
enable, set, get, bufsize, method, load, reload, dump; invalid: unknown models, a corrupt
and a non-compiling model (issue 13's reproducers), unknown methods and attributes, bad
values, junk selectors) at --rate messages per second for --minutes. Samples Pd's RSS at the
start, every minute and at the end. Prints JSON on stdout; flat RSS is the target.

Usage: bench/pd/soak.py [--build DIR] [--minutes M] [--rate R] [--seed S]
"""
import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "mutants"))
import mutate  # noqa: E402

OBJECTS = [  # creation arguments; the info outlet follows the signal outlets
    "nn~ gain.ts forward 2048", "nn~ -offline gain.ts forward 512", "nn~ gain.ts forward 0",
    "nn~ stateful.ts forward 4096", "nn~ -offline stateful.ts forward 1024", "nn~ attrs.ts forward 2048",
    "nn~ -offline attrs.ts forward 256", "nn~ ratios.ts encode 4096", "nn~ ratios.ts decode 2048",
    "nn~ -offline ratios.ts identity_64 512", "nn~ gain.ts forward 8192", "nn~ attrs.ts forward 0",
]


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def patch(port):
    """netreceive 0 -> route 1 -> per object: list trim (5 + 2i) -> nn~ (6 + 2i); osc~ 2 into every
    nn~; loadbang 3 -> "; pd dsp 1" 4."""
    lines = ["#N canvas 0 0 800 600 12;", f"#X obj 10 10 netreceive {port};",
             "#X obj 10 40 route " + " ".join(str(i) for i in range(len(OBJECTS))) + ";",
             "#X obj 300 10 osc~ 220;", "#X obj 300 40 loadbang;", "#X msg 300 70 \\; pd dsp 1;"]
    conns = ["#X connect 0 0 1 0;", "#X connect 3 0 4 0;"]
    for i, text in enumerate(OBJECTS):
        lines.append(f"#X obj 10 {100 + 30 * i} list trim;")
        lines.append(f"#X obj 100 {100 + 30 * i} {text};")
        t, nn = 5 + 2 * i, 6 + 2 * i
        conns += [f"#X connect 1 {i} {t} 0;", f"#X connect {t} 0 {nn} 0;", f"#X connect 2 0 {nn} 0;"]
    return "\n".join(lines + conns) + "\n"


def messages(rng, models, bad):
    valid = [
        "bang", "enable 0", "enable 1", "set gain %.3f" % rng.uniform(0, 2), "get gain", "dump",
        "bufsize %d" % rng.choice([0, 256, 512, 2048, 4096]), "method forward", "reload",
        "load " + os.path.join(models, rng.choice(["gain.ts", "attrs.ts", "stateful.ts"])),
    ]
    invalid = [
        "load nosuchmodel_" + str(rng.randrange(1000)), "load " + bad["f6_bad_code.ts"],
        "load " + bad["f4_short_record.ts"], "load " + bad["f5_bad_crc.ts"], "load " + bad["f2_deep_nesting.ts"],
        "method nosuch", "set nosuch 1", "set gain abc", "bufsize -5", "bufsize 99999999", "enable x",
        "get", "set", "junk_%d 1 2 3" % rng.randrange(100), "%f" % rng.uniform(-1e9, 1e9), "gpu 1",
    ]
    return rng.choice(valid if rng.random() < 0.6 else invalid)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--rate", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    models = os.path.join(build, "models")
    externals = os.path.join(build, "src", "pd")
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="nn_soak_")
    bad = {n: os.path.join(work, n) for n in mutate.reproducers(models, work)}
    port = a.port or rng.randrange(20000, 40000)
    path = os.path.join(work, "soak.pd")
    with open(path, "w") as f:
        f.write(patch(port))
    log = open(os.path.join(work, "pd.log"), "w")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", NN_TILDE_MODELS_DIR=os.path.join(work, "user_models"))
    pd = subprocess.Popen(["pd", "-nogui", "-nosound", "-nrt", "-stderr", "-r", "48000", "-path", externals,
                           "-path", models, "-open", path], stdout=log, stderr=subprocess.STDOUT, env=env)
    sock = None
    for _ in range(100):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    if sock is None:
        pd.kill()
        raise SystemExit("soak: could not connect to Pd's [netreceive]")
    time.sleep(5.0)  # the objects load their models at creation: start once they have
    start = time.time()
    samples = [{"t": 0.0, "rss_kb": rss_kb(pd.pid)}]
    sent, next_sample = 0, 60.0
    end = a.minutes * 60.0
    while True:
        now = time.time() - start
        if now >= end or pd.poll() is not None:
            break
        if now >= next_sample:
            samples.append({"t": round(now, 1), "rss_kb": rss_kb(pd.pid)})
            next_sample += 60.0
        target = rng.randrange(len(OBJECTS))
        sock.sendall(f"{target} {messages(rng, models, bad)};\n".encode())
        sent += 1
        time.sleep(1.0 / a.rate)
    alive = pd.poll() is None
    time.sleep(2.0)
    if alive:
        samples.append({"t": round(time.time() - start, 1), "rss_kb": rss_kb(pd.pid)})
        pd.terminate()
    pd.wait(30)
    sock.close()
    log.close()
    text = open(os.path.join(work, "pd.log"), errors="replace").read()
    rss = [s["rss_kb"] for s in samples]
    after_first = rss[1:] or rss
    print(json.dumps({
        "benchmark": "soak", "objects": OBJECTS, "minutes": a.minutes, "messages": sent, "rate": a.rate,
        "seed": a.seed, "pd_alive_at_end": alive, "pd_exit": pd.returncode,
        "errors_printed": sum(1 for l in text.splitlines() if l.startswith("error:")),
        "rss": samples, "rss_growth_after_first_minute_kb": after_first[-1] - after_first[0],
        "log": os.path.join(work, "pd.log"),
    }, indent=1))
    return 0 if alive else 1


if __name__ == "__main__":
    sys.exit(main())

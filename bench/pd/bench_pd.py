#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""CPU cost of [nn~] in Pure Data: CPU seconds per second of audio in `pd -batch`.

Measures Pd alone (noise~ into dac~), then [nn~ -offline <model> <method> <B>] between the
two (gain.ts at B = 512, 2048, 4096; rave.ts forward at 2048), each as the difference of a
short and a long render divided by the difference of their durations, so that Pd's start-up
and the model load cancel out; -offline makes every block computed (pd -batch runs faster
than real time). Prints JSON on stdout, with the raw backend timings of bench_backend (same
models, one nn_model_run per block) next to them when that program is built.

Usage: bench/pd/bench_pd.py [--build DIR] [--short S] [--long S] [--repeat N]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

SR = 48000


def cpu_of_run(pd, externals, models, patch_text, workdir):
    path = os.path.join(workdir, "bench.pd")
    with open(path, "w") as handle:
        handle.write(patch_text)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    proc = subprocess.Popen([pd, "-nogui", "-batch", "-nosound", "-stderr", "-r", str(SR), "-path", externals,
                             "-path", models, "-open", path], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or "error:" in output or "done: bang" not in output:
        raise SystemExit(f"bench_pd: pd failed ({proc.returncode}):\n{output[-3000:]}")
    return usage.ru_utime + usage.ru_stime


def patch(obj, seconds):
    """noise~ -> [obj] -> dac~ for `seconds` of logical time, then quit."""
    lines = ["#N canvas 0 0 400 300 12;",
             "#X obj 10 10 noise~;",
             f"#X obj 10 40 {obj};" if obj else "#X obj 10 40 *~ 1;",
             "#X obj 10 70 dac~;",
             "#X obj 10 100 loadbang;",
             "#X msg 10 130 \\; pd dsp 1;",
             f"#X obj 10 160 delay {seconds * 1000};",
             "#X obj 10 190 t b b;",
             "#X obj 10 220 print done;",
             "#X msg 10 250 \\; pd quit;",
             "#X connect 0 0 1 0;",
             "#X connect 1 0 2 0;",
             "#X connect 3 0 4 0;",
             "#X connect 3 0 5 0;",
             "#X connect 5 0 6 0;",
             "#X connect 6 1 7 0;",
             "#X connect 6 0 8 0;"]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--build", default=os.path.join(here, "..", "..", "build"))
    parser.add_argument("--short", type=float, default=2.0, help="seconds of audio of the short render")
    parser.add_argument("--long", type=float, default=62.0, help="seconds of audio of the long render")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the least CPU time is kept")
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    externals = os.path.join(build, "src", "pd")
    models = os.path.join(build, "models")
    pd = shutil.which("pd")
    for needed in (os.path.join(externals, "nn~.pd_linux"), os.path.join(models, "gain.ts"),
                   os.path.join(models, "rave.ts"), pd or "pd (puredata-core)"):
        if not needed or not os.path.exists(needed):
            raise SystemExit(f"bench_pd: {needed} is missing (build the Pd objects and the models first)")

    configs = [("pd alone", None, None, None, None)]
    configs += [(f"nn~ gain.ts forward B={b}", "gain.ts", "forward", b, f"nn~ -offline gain forward {b}")
                for b in (512, 2048, 4096)]
    configs.append(("nn~ rave.ts forward B=2048", "rave.ts", "forward", 2048, "nn~ -offline rave forward 2048"))
    results = []
    with tempfile.TemporaryDirectory(prefix="nn_bench_pd_") as workdir:
        for name, model, method, b, obj in configs:
            # The least CPU time of a few runs: noise from other processes only ever adds.
            short = min(cpu_of_run(pd, externals, models, patch(obj, args.short), workdir)
                        for _ in range(args.repeat))
            long = min(cpu_of_run(pd, externals, models, patch(obj, args.long), workdir)
                       for _ in range(args.repeat))
            per_second = (long - short) / (args.long - args.short)
            results.append({"name": name, "model": model, "method": method, "buffer_size": b,
                            "cpu_s_per_audio_s": round(per_second, 5),
                            "cpu_s_short": round(short, 3), "cpu_s_long": round(long, 3)})
            print(f"bench_pd: {name}: {per_second:.4f} CPU s per audio s", file=sys.stderr)
    alone = results[0]["cpu_s_per_audio_s"]
    for r in results[1:]:
        r["nn_cpu_s_per_audio_s"] = round(r["cpu_s_per_audio_s"] - alone, 5)

    backend = None
    bench_backend = os.path.join(build, "bench", "bench_backend")
    if os.path.exists(bench_backend):
        out = subprocess.run([bench_backend, models], capture_output=True, text=True,
                             env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
        try:
            backend = json.loads(out.stdout)
        except ValueError:
            backend = {"error": f"bench_backend exited {out.returncode}: {out.stderr[-500:]}"}
    print(json.dumps({"benchmark": "pd", "sample_rate": SR, "short_s": args.short, "long_s": args.long,
                      "repeat": args.repeat,
                      "results": results, "backend": backend}, indent=2))


if __name__ == "__main__":
    main()

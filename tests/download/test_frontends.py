#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A downloaded model is found by bare name by the frontends.

`cli`: `nntilde download test/models/gain` against server.py (NN_TILDE_API_URL and
NN_TILDE_MODELS_DIR set), then `nntilde info gain` from a folder that has no gain.ts, then
`nntilde delete gain`. `pd`: the same download, then a patch `[nn~ gain]` banged by
`[loadbang]` in `pd -nogui -batch -nosound -stderr`, whose info outlet must report the model
loaded from the models folder. Usage: test_frontends.py cli|pd NNTILDE [NN_PD_DIR]
Exits non-zero with a message on the first failure.
"""
import os
import shutil
import subprocess
import sys
import tempfile


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def need(path, what):
    if not os.path.exists(path):
        fail("%s is missing: %s (build it first)" % (what, path))


def start_server(models):
    source = os.environ.get("NN_TEST_SOURCE")
    if not source or not models:
        fail("NN_TEST_SOURCE and NN_TEST_MODELS must be set (run through ctest)")
    model = os.path.join(models, "gain.ts")
    need(model, "generated model gain.ts (docs/test-models.md)")
    server = subprocess.Popen([sys.executable, os.path.join(source, "tests/download/server.py"), "--model", model],
                              stdout=subprocess.PIPE, text=True)
    port = server.stdout.readline().strip()
    if not port.isdigit():
        server.kill()
        fail("server.py did not print its port (got %r)" % port)
    return server, int(port)


def run(args, env, cwd, expect_rc=0):
    result = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
    if result.returncode != expect_rc:
        fail("%s exited %d (expected %d)\nstdout: %s\nstderr: %s"
             % (" ".join(args), result.returncode, expect_rc, result.stdout, result.stderr))
    return result


def download(nntilde, env, work, models_dir):
    result = run([nntilde, "download", "-q", "test/models/gain"], env, work)
    installed = os.path.join(models_dir, "gain.ts")
    if result.stdout.strip() != installed or sorted(os.listdir(models_dir)) != ["gain.ts"]:
        fail("download printed %r; models folder holds %r" % (result.stdout, os.listdir(models_dir)))
    return installed


def check_cli(nntilde, env, work, models_dir):
    installed = download(nntilde, env, work, models_dir)
    info = run([nntilde, "info", "gain"], env, work)
    if "forward" not in info.stdout or installed not in info.stdout:
        fail("'nntilde info gain' does not show the downloaded model:\n" + info.stdout)
    missing = run([nntilde, "info", "nosuchmodel"], env, work, expect_rc=3)
    if os.path.join(models_dir, "nosuchmodel.ts") not in missing.stderr:
        fail("not-found message does not list the models folder:\n" + missing.stderr)
    run([nntilde, "delete", "gain"], env, work)
    if os.listdir(models_dir):
        fail("delete left %r" % os.listdir(models_dir))


def check_pd(nntilde, pd_dir, env, work, models_dir):
    installed = download(nntilde, env, work, models_dir)
    pd = shutil.which("pd")
    if not pd:
        fail("pd is not installed (puredata-core)")
    patch = os.path.join(work, "bare_name.pd")
    with open(patch, "w") as f:
        f.write("#N canvas 0 0 400 300 12;\n"
                "#X obj 10 10 loadbang;\n"
                "#X obj 10 40 nn~ gain;\n"
                "#X obj 10 80 print info;\n"
                "#X msg 10 120 \\; pd quit;\n"
                "#X connect 0 0 1 0;\n"
                "#X connect 1 1 2 0;\n"
                "#X connect 0 0 3 0;\n")
    result = subprocess.run([pd, "-nogui", "-batch", "-nosound", "-stderr", "-noprefs", "-path", pd_dir,
                             "-open", patch], env=env, cwd=work, capture_output=True, text=True,
                            timeout=120)
    log = result.stdout + result.stderr
    if "info: loaded 1" not in log or ("info: model " + installed) not in log:
        fail("[nn~ gain] did not load %s from the models folder (rc %d):\n%s" % (installed, result.returncode, log))
    if "nn~: could not" in log:
        fail("[nn~ gain] printed an error:\n" + log)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("cli", "pd") or (sys.argv[1] == "pd" and len(sys.argv) < 4):
        fail("usage: test_frontends.py cli|pd NNTILDE [NN_PD_DIR]")
    mode, nntilde = sys.argv[1], sys.argv[2]
    need(nntilde, "nntilde")
    if mode == "pd":
        need(os.path.join(sys.argv[3], "nn~.pd_linux"), "the nn~ external")
    server, port = start_server(os.environ.get("NN_TEST_MODELS"))
    work = tempfile.mkdtemp(prefix="nn_download_frontends-")
    try:
        models_dir = os.path.join(work, "models")
        env = dict(os.environ, NN_TILDE_API_URL="http://127.0.0.1:%d/api/" % port, NN_TILDE_MODELS_DIR=models_dir,
                   NN_TILDE_HTTP_TIMEOUT="10")
        if mode == "cli":
            check_cli(nntilde, env, work, models_dir)
        else:
            check_pd(nntilde, sys.argv[3], env, work, models_dir)
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)
    print("ok: %s finds a downloaded model by bare name" % mode)


if __name__ == "__main__":
    main()

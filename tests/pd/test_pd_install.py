# SPDX-License-Identifier: MIT
"""The package as a user gets it: installed with `cmake --install` (as the README says) or
unpacked from the deken file (as Pd's "Find externals" does), then used from a patch in a
folder outside the build and source trees, with no saved preferences and only the installed
folder on Pd's path. Models are found by bare name in the documented order (Pd's [declare]
paths, the patch folder, Pd's search path, the package's own models/ folder, then the
per-user models folder) and a missing model's error names every place tried, in that order."""
import os
import shutil
import subprocess
import tempfile
import zipfile

import numpy as np
import pytest

import pdtest


def outside_trees():
    """A fresh folder that is in neither the build tree nor the source tree."""
    root = tempfile.mkdtemp(prefix="nn_tilde_install_")
    real = os.path.realpath(root)
    for tree in (pdtest.BUILD, pdtest.SOURCE):
        assert not real.startswith(os.path.realpath(tree) + os.sep), f"{root} is inside {tree}"
    return root


def install(how, root):
    """Installs the package: under root/externals, or for "stdpath" into Pd's first standard
    folder on Linux, ~/.local/lib/pd/extra (HOME is root/home for the test). Returns the
    installed nn_tilde folder."""
    externals = os.path.join(root, "externals")
    if how == "stdpath":
        externals = os.path.join(root, "home", ".local", "lib", "pd", "extra")
    if how in ("cmake-install", "stdpath"):
        cmake = os.environ.get("NN_CMAKE") or shutil.which("cmake")
        assert cmake, "no cmake program (NN_CMAKE) to run `cmake --install`"
        proc = subprocess.run([cmake, "--install", pdtest.BUILD, "--prefix", externals], capture_output=True,
                              text=True)
        assert proc.returncode == 0, f"cmake --install failed:\n{proc.stdout}\n{proc.stderr}"
    else:
        dek = os.environ.get("NN_DEKEN_FILE")
        assert dek, "NN_DEKEN_FILE is not set: run the Pd tests through ctest"
        assert os.path.exists(dek), f"{dek} is missing: build the nn_tilde_deken target"
        name = os.path.basename(dek)
        assert name.startswith("nn_tilde[v") and name.endswith("-32).dek"), f"not a deken file name: {name}"
        with zipfile.ZipFile(dek) as archive:
            names = archive.namelist()
            assert all(n.startswith("nn_tilde/") for n in names), names
            assert ".stamp" not in " ".join(names), names
            archive.extractall(externals)
    package = os.path.join(externals, "nn_tilde")
    for part in ("nn~.pd_linux", "nn.info.pd_linux", "nn~-help.pd", "nn.info-help.pd", "LICENSE",
                 "models/nn_effects.ts", "models/nn_features.ts", "models/nn_hpss.ts"):
        assert os.path.exists(os.path.join(package, part)), f"{part} is not in the installed package {package}"
    return package


@pytest.mark.parametrize("how", ["cmake-install", "deken", "stdpath"])
def test_installed_package_finds_models(how, monkeypatch):
    """cmake-install and deken: the package folder given with -path (as if added in
    Preferences > Path). stdpath: installed in ~/.local/lib/pd/extra, which Pd searches
    without any setting, and found with [declare -stdpath nn_tilde]; no -path at all."""
    root = outside_trees()
    try:
        if how == "stdpath":
            monkeypatch.setenv("HOME", os.path.join(root, "home"))
        package = install(how, root)
        work = os.path.join(root, "patch")
        os.makedirs(os.path.join(work, "declared"))
        os.makedirs(os.path.join(work, "user_models"))
        # A patch-folder nn_hpss.ts (gain.ts inside) comes before the bundled one; the
        # bundled nn_features.ts comes before a per-user one (stateful.ts inside), and a
        # per-user model of another name is found last.
        shutil.copy(pdtest.model("gain.ts"), os.path.join(work, "nn_hpss.ts"))
        shutil.copy(pdtest.model("stateful.ts"), os.path.join(work, "user_models", "nn_features.ts"))
        shutil.copy(pdtest.model("stateful.ts"), os.path.join(work, "user_models", "my_own.ts"))
        bufsize = 1024
        x = pdtest.test_signal(3 * 4096)

        def wire(sub, players, recorders, to_nn):
            for tag, text in (("bundled", f"nn~ -offline nn_effects saturate {bufsize}"),
                              ("patch", "nn~ -offline nn_hpss forward"), ("features", "nn~ -offline nn_features rms"),
                              ("user", "nn~ -offline my_own forward"), ("missing", "nn~ nosuchmodel_xyz")):
                nn = sub.obj(text)
                sub.connect(to_nn, 0, nn, 0)
                printer = sub.obj(f"print {tag}")
                sub.connect(nn, 1, printer, 0)
                if tag == "bundled":
                    sub.connect(players[0], 0, nn, 0)
                    sub.connect(nn, 0, recorders[0], 0)
            info = sub.obj("nn.info nn_effects")
            printer = sub.obj("print ninfo")
            sub.connect(info, 0, printer, 0)
            sub.connect(to_nn, 0, info, 0)

        if how == "stdpath":
            pd_args, declare = (), "-path declared -stdpath nn_tilde"
        else:
            pd_args, declare = ("-path", package), "-path declared"
        run, outs = pdtest.render_patch(wire, list(x), 1, len(x[0]) + 2 * bufsize + 1024, work, bare=True,
                                        pd_args=pd_args, declare=declare)
        run.check_alive()
        bundled = os.path.join(package, "models", "nn_effects.ts")
        assert run.info("bundled")["model"] == [bundled], run.info("bundled")
        assert ["path", bundled] in run.printed("ninfo"), run.printed("ninfo")
        assert run.info("patch")["model"] == [os.path.join(work, "nn_hpss.ts")], run.info("patch")
        features = run.info("features")["model"]
        assert features == [os.path.join(package, "models", "nn_features.ts")], run.info("features")
        assert run.info("user")["model"] == [os.path.join(work, "user_models", "my_own.ts")], run.info("user")
        assert run.info("missing")["loaded"] == ["0"]

        assert len(run.errors) == 1, "\n".join(run.errors)
        error = run.errors[0]
        assert "could not find model 'nosuchmodel_xyz'" in error, error
        tried = error.split("searched: ", 1)[1].split(", ")
        declared = os.path.join(work, "declared")
        dirs = [declared, work, package] if how != "stdpath" else [declared, package, work]
        want = [os.path.join(d, "nosuchmodel_xyz.ts") for d in dirs]
        assert tried[:3] == want, f"[declare] paths, patch folder, Pd's path, in that order:\n{tried}"
        assert tried[-2:] == [os.path.join(package, "models", "nosuchmodel_xyz.ts"),
                              os.path.join(work, "user_models", "nosuchmodel_xyz.ts")], tried
        # Between them, Pd's standard folders (e.g. /usr/lib/pd/extra on Debian).
        assert any(t.endswith("/extra/nosuchmodel_xyz.ts") for t in tried[3:-2]), tried

        latency = 2 * bufsize - 64
        expected = pdtest.torch_blocks(bundled, "saturate", x, bufsize)
        pdtest.assert_aligned(outs[0], expected[0], latency, what=f"installed ({how}) nn_effects.saturate")
    finally:
        shutil.rmtree(root, ignore_errors=True)

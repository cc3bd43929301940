# SPDX-License-Identifier: MIT
"""`nntilde info --json` agrees with what Python torch reports for the same file.

The model generator writes DIR/meta/<name>.json from torch.jit.load; the CLI
reads the file through libtorch in C. Methods (order, params, labels),
attributes (order, type codes, current values), buffer attributes and
set_sample_rate presence must match. Tensor and buffer values are free text
(each side describes them its own way), so only their presence is checked.
"""
import json
import os

import pytest

GENERATED = ["gain", "attrs", "multi", "ratios", "stateful", "rave", "slow", "throws", "bad_outputs", "batch"]
FIXTURES = ["effects", "demo_attributes", "demo_mc"]


def load_meta(models, name):
    path = os.path.join(models, "meta", f"{name}.json")
    if not os.path.isfile(path):
        pytest.fail(f"generator metadata missing: {path}")
    with open(path) as f:
        return json.load(f)


def compare(info, meta):
    assert os.path.realpath(info["file"]) == os.path.realpath(meta["file"])
    assert [m["name"] for m in info["methods"]] == [m["name"] for m in meta["methods"]]
    for got, want in zip(info["methods"], meta["methods"]):
        assert got["params"] == [int(v) for v in want["params"]], got["name"]
        assert got["input_labels"] == want["input_labels"], got["name"]
        assert got["output_labels"] == want["output_labels"], got["name"]
    assert [a["name"] for a in info["attributes"]] == [a["name"] for a in meta["attributes"]]
    for got, want in zip(info["attributes"], meta["attributes"]):
        name = got["name"]
        assert got["types"] == [int(t) for t in want["types"]], name
        assert got["values"] is not None, f"{name}: {got.get('error')}"
        assert len(got["values"]) == len(want["values"]), name
        for code, g, w in zip(got["types"], got["values"], want["values"]):
            if code == 0:
                assert g is bool(w), name
            elif code in (1, 2):
                assert g == pytest.approx(float(w), rel=1e-6, abs=1e-7), name
            elif code == 3:
                assert g == w, name
            else:
                assert isinstance(g, str) and g, name
    assert info["buffer_attributes"] == meta["buffer_attributes"]
    assert info["has_set_sample_rate"] == meta["has_set_sample_rate"]


@pytest.mark.parametrize("name", GENERATED)
def test_info_json_generated(name, run, models):
    result = run("info", "--json", os.path.join(models, f"{name}.ts"))
    assert result.returncode == 0, result.stderr
    compare(json.loads(result.stdout), load_meta(models, name))


@pytest.mark.parametrize("name", FIXTURES)
def test_info_json_fixture(name, run, models, fixtures):
    result = run("info", "--json", os.path.join(fixtures, f"{name}.ts"))
    assert result.returncode == 0, result.stderr
    compare(json.loads(result.stdout), load_meta(models, f"fixture_{name}"))


def test_info_sample_rate(run, models):
    """nn_features.ts is exported with sr=44100; gain.ts declares none."""
    features = json.loads(run("info", "--json", os.path.join(models, "examples", "nn_features.ts")).stdout)
    assert features["sample_rate"] == 44100
    gain = json.loads(run("info", "--json", os.path.join(models, "gain.ts")).stdout)
    assert gain["sample_rate"] is None
    assert gain["max_ratio"] == 1


def test_info_text(run, fixtures):
    result = run("info", os.path.join(fixtures, "effects.ts"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for needle in ["methods (8):", "midside  [2, 1, 2, 1]", "rms  [1, 1, 1, 1024]",
                   "polynomial_factors (float, float, float, float) = 1 0 0 0", "saturate_mode (string) = tanh",
                   "invert_signal (bool) = false", "largest ratio: 1024"]:
        assert needle in out, f"{needle!r} missing from:\n{out}"


def test_info_bare_name_in_models_folder(run, models, tmp_path):
    """A bare name is found in NN_TILDE_MODELS_DIR, with '.ts' added."""
    folder = tmp_path / "user_models"
    folder.mkdir()
    with open(os.path.join(models, "gain.ts"), "rb") as src:
        (folder / "mygain.ts").write_bytes(src.read())
    result = run("info", "--json", "mygain", env={"NN_TILDE_MODELS_DIR": str(folder)})
    assert result.returncode == 0, result.stderr
    assert os.path.realpath(json.loads(result.stdout)["file"]) == os.path.realpath(folder / "mygain.ts")


def test_doctor(run, tmp_path):
    result = run("doctor", env={"NN_TILDE_MODELS_DIR": str(tmp_path / "m"), "NN_TILDE_API_URL": "http://x.invalid/"})
    assert result.returncode in (0, 1), result.stderr
    out = result.stdout
    for needle in ["libtorch:", "BLAS:", "libtorch threads:", "CPU features:", f"models folder:      {tmp_path / 'm'}",
                   "download API:       http://x.invalid/"]:
        assert needle in out, f"{needle!r} missing from:\n{out}"
    # exit 1 exactly when there is something to fix, and then the fix is printed
    assert (result.returncode == 1) == ("fix:" in out)


def test_doctor_flags_reference_blas(run):
    """The fix for the slow reference BLAS is printed exactly when that BLAS is in use."""
    result = run("doctor")
    blas_line = next(line for line in result.stdout.splitlines() if line.startswith("BLAS:"))
    optimised = any(name in blas_line for name in ("openblas", "mkl", "blis", "atlas"))
    if optimised or "unknown" in blas_line:
        assert "libopenblas0-pthread" not in result.stdout
    else:
        assert "libopenblas0-pthread" in result.stdout and result.returncode == 1, blas_line

"""nn~ in C — the Max help patchers (src/max/help/*.maxhelp) read as Max would.

Each is a JSON patcher whose subpatchers open as tabs (showontab); the tests check that
every message the object answers and every attribute it has is shown in a message box,
that each tab exists, and that no two boxes of a tab overlap (the layout a person sees).
The message and attribute lists come from the object layer's source, so a message added
there without help fails here.
SPDX-License-Identifier: MIT
"""
import json
import os
import re

import pytest

SOURCE = os.environ.get("NN_TEST_SOURCE", os.path.join(os.path.dirname(__file__), "..", ".."))
HELP = os.path.join(SOURCE, "src", "max", "help")


def c_string_list(path, name):
    text = open(path).read()
    body = re.search(name + r"\[\]\s*=\s*\{(.*?)\};", text, re.S).group(1)
    return re.findall(r'"([^"]+)"', body)


OBJ_MESSAGES = c_string_list(os.path.join(SOURCE, "src", "obj", "nn_obj.c"), "nn_obj_messages")
INFO_MESSAGES = c_string_list(os.path.join(SOURCE, "src", "obj", "info.c"), "nn_info_messages")
ATTRIBUTES = ["enable", "gpu", "track_buffers", "offline"]


def tabs(path):
    with open(path) as handle:
        top = json.load(handle)["patcher"]
    result = {}
    for entry in top["boxes"]:
        sub = entry["box"].get("patcher")
        if sub is not None:
            assert sub.get("showontab") == 1, f"{path}: subpatcher {entry['box']['text']} is not a tab"
            result[entry["box"]["text"][2:]] = sub
    return top, result


def texts(patcher, cls):
    return [b["box"].get("text", "") for b in patcher["boxes"] if b["box"]["maxclass"] == cls]


def overlaps(patcher):
    rects = [(b["box"]["id"], b["box"]["patching_rect"], b["box"].get("text", "")) for b in patcher["boxes"]]
    found = []
    for i, (ia, a, ta) in enumerate(rects):
        for ib, b, tb in rects[i + 1:]:
            if a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]:
                found.append((ta, tb))
    return found


@pytest.mark.parametrize("name,mc", [("nn~", False), ("mc.nn~", True), ("mcs.nn~", True)])
def test_tilde_help(name, mc):
    top, tab = tabs(os.path.join(HELP, f"{name}.maxhelp"))
    expected_tabs = {"basic", "messages", "attributes", "buffers", "void"} | ({"multichannel"} if mc else set())
    assert set(tab) == expected_tabs, set(tab)
    first_words = {t.split()[0] for p in tab.values() for t in texts(p, "message") if t.split()}
    missing = [m for m in OBJ_MESSAGES if m not in first_words]
    assert not missing, f"{name}.maxhelp shows no message box for {missing}"
    attrs = ATTRIBUTES + (["chans"] if mc else [])
    missing = [a for a in attrs if a not in {t.split()[0] for t in texts(tab["attributes"], "message")}]
    assert not missing, f"{name}.maxhelp shows no attribute {missing}"
    assert any(t.startswith(name + " void") for p in tab.values() for t in texts(p, "newobj")), "no void example"
    for title, patcher in [("main", top)] + list(tab.items()):
        assert overlaps(patcher) == [], f"{name}.maxhelp tab {title}: overlapping boxes {overlaps(patcher)}"


def test_info_help():
    top, tab = tabs(os.path.join(HELP, "nn.info.maxhelp"))
    shown = {t.split()[0] for p in tab.values() for t in texts(p, "message") if t.split()}
    missing = [m for m in INFO_MESSAGES if m not in shown and m != "load"]
    assert not missing, f"nn.info.maxhelp shows no message box for {missing}"
    for title, patcher in [("main", top)] + list(tab.items()):
        assert overlaps(patcher) == [], f"nn.info.maxhelp tab {title}: overlapping boxes {overlaps(patcher)}"


def test_overlap_check_can_fail():
    boxes = {"boxes": [{"box": {"id": "a", "patching_rect": [0, 0, 100, 22], "text": "a"}},
                       {"box": {"id": "b", "patching_rect": [50, 10, 100, 22], "text": "b"}}]}
    assert overlaps(boxes) == [("a", "b")]

# SPDX-License-Identifier: MIT
"""The help patches as the real Pd GUI draws them (Pd 0.53's Tk GUI, Debian's puredata-gui,
under Xvfb): every patch window of a help file, its subpatches opened too, is screenshot into
<build>/tests/pd/gui-screenshots/, and the test fails when two boxes overlap as drawn: a
comment over a comment or over an object or message box, or two objects. The rectangles are
Tk's own bounding boxes of the canvas items, read inside the GUI by tests/pd/gui/
nn_gui_probe-plugin.tcl (a GUI plugin on Pd's search path): what Pd thinks a box's size is
does not count, what Tk drew does (Pd 0.53 draws a `\\;` inside a comment as a line break
without growing the box, which is how the old help overlapped).

The messages of [nn~] listed in nn_obj_messages (src/obj/nn_obj.c), and `reread`, each have
a message box in nn~-help.pd; those of [nn.info] in nn.info-help.pd (test_help_lists_messages,
no GUI needed)."""
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

import pdtest

PACKAGE = os.path.join(pdtest.BUILD, "nn_tilde")
SHOTS = os.path.join(pdtest.BUILD, "tests", "pd", "gui-screenshots")
PROBE = os.path.join(pdtest.SOURCE, "tests", "pd", "gui")
HELPS = ("nn~-help.pd", "nn.info-help.pd")


def help_path(name):
    path = os.path.join(PACKAGE, name)
    assert os.path.exists(path), f"{path} is missing: build the nn_tilde_package target"
    return path


def subpatches(text):
    """Receive names of the subpatches of a Pd file ("pd-<name>"), nested ones too."""
    return [f"pd-{name}" for name in re.findall(r"^#X restore -?\d+ -?\d+ pd (\S+?);", text, re.M)]


def c_strings(path, name):
    body = re.search(name + r"\[\]\s*=\s*\{(.*?)\};", open(path).read(), re.S).group(1)
    return re.findall(r'"([^"]+)"', body)


def message_boxes(text):
    """The first word of every message box of a Pd file (and of each `, `-separated part)."""
    words = set()
    for body in re.findall(r"^#X msg -?\d+ -?\d+ (.*?)(?:, f \d+)?;$", text, re.M | re.S):
        for part in re.split(r"\s*\\[,;]\s*", body):
            if part.strip():
                words.add(part.split()[0])
    return words


@pytest.mark.parametrize("name,messages", [
    ("nn~-help.pd", c_strings(os.path.join(pdtest.SOURCE, "src", "obj", "nn_obj.c"), "nn_obj_messages") + ["reread"]),
    ("nn.info-help.pd", c_strings(os.path.join(pdtest.SOURCE, "src", "obj", "info.c"), "nn_info_messages")),
])
def test_help_lists_messages(name, messages):
    shown = message_boxes(open(help_path(name)).read())
    missing = [m for m in messages if m not in shown]
    assert not missing, f"{name} has no message box for {missing}"


def tool(name, package):
    path = shutil.which(name)
    assert path, f"'{name}' is missing: install {package} (scripts/install-deps.sh)"
    return path


SCREEN = (8000, 1200)  # wide enough for every window of a help file side by side


def start_xvfb():
    """A fresh Xvfb on a free display; returns (process, display)."""
    xvfb = tool("Xvfb", "xvfb")
    read, write = os.pipe()
    proc = subprocess.Popen([xvfb, "-displayfd", str(write), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    assert number.isdigit(), "Xvfb did not say which display it took"
    return proc, f":{number}"


def parse_report(path):
    windows, items = {}, []
    for line in open(path).read().splitlines():
        if line == "done":
            continue
        words = tcl_list(line)
        if words[0] == "window":
            windows[words[1]] = {"title": words[2], "rect": tuple(int(v) for v in words[3:7])}
        elif words[0] == "item":
            items.append({"window": words[1], "type": words[2], "tags": tcl_list(words[3]),
                          "box": tuple(float(v) for v in words[4:8]), "text": words[8] if len(words) > 8 else ""})
    return windows, items


def tcl_list(text):
    """Splits a Tcl list (braces and backslash escapes as Tcl's `list` writes them)."""
    out, i, n = [], 0, len(text)
    while i < n:
        while i < n and text[i] == " ":
            i += 1
        if i >= n:
            break
        if text[i] == "{":
            depth, j = 1, i + 1
            while j < n and depth:
                depth += {"{": 1, "}": -1}.get(text[j], 0) if text[j - 1] != "\\" else 0
                j += 1
            out.append(text[i + 1:j - 1])
            i = j
        else:
            j, word = i, []
            while j < n and text[j] != " ":
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                word.append(text[j])
                j += 1
            out.append("".join(word))
            i = j
    return out


def boxes(items, window):
    """The boxes of one window as drawn: comments (their text), object/message/atom boxes
    (their text and border together), with kind and text."""
    mine = [it for it in items if it["window"] == window]
    borders = {}
    for it in mine:
        if it["tags"] and it["tags"][0].endswith("R"):
            borders.setdefault(it["tags"][0][:-1], []).append(it["box"])
    found = []
    for it in mine:
        tags = it["tags"]
        if it["type"] != "text" or len(tags) < 3 or tags[-1] != "text":
            continue
        kind = "comment" if tags[1] == "text" else tags[1]
        rects = [it["box"]] + borders.get(tags[0], [])
        rect = (min(r[0] for r in rects), min(r[1] for r in rects), max(r[2] for r in rects), max(r[3] for r in rects))
        found.append({"kind": kind, "rect": rect, "text": it["text"]})
    return found


def overlapping(found, slack=1.0):
    pairs = []
    for i, a in enumerate(found):
        for b in found[i + 1:]:
            ra, rb = a["rect"], b["rect"]
            if (ra[0] + slack < rb[2] and rb[0] + slack < ra[2] and ra[1] + slack < rb[3] and rb[1] + slack < ra[3]):
                pairs.append(f"{a['kind']} '{a['text'][:40]}' {ra} and {b['kind']} '{b['text'][:40]}' {rb}")
    return pairs


@pytest.mark.parametrize("name", HELPS)
def test_help_drawn_without_overlaps(tmp_path, name):
    path = help_path(name)
    importer = tool("import", "imagemagick")
    assert os.path.exists("/usr/lib/puredata/tcl/pd-gui.tcl"), "Pd's GUI is missing: install puredata-gui"
    os.makedirs(SHOTS, exist_ok=True)
    report = tmp_path / "probe.txt"
    xvfb, display = start_xvfb()
    pd = None
    try:
        env = dict(os.environ, DISPLAY=display, NN_GUI_PROBE=str(report),
                   NN_GUI_SUBPATCHES=" ".join(subpatches(open(path).read())),
                   NN_TILDE_MODELS_DIR=str(tmp_path / "user_models"), OPENBLAS_NUM_THREADS="1")
        env.pop("LD_PRELOAD", None)
        pd = subprocess.Popen([pdtest.PD, "-nrt", "-nosound", "-noprefs", "-stderr", "-path", PACKAGE, "-path", PROBE,
                               "-open", path], env=env, cwd=str(tmp_path), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
        deadline = time.time() + 90
        while time.time() < deadline and not (report.exists() and report.read_text().endswith("done\n")):
            assert pd.poll() is None, f"Pd exited early:\n{pd.stdout.read()[-3000:]}"
            time.sleep(0.3)
        assert report.exists() and report.read_text().endswith("done\n"), "the GUI probe wrote no report in 90 s"
        windows, items = parse_report(report)
        assert windows, "no patch window was drawn"
        stem = name[:-len(".pd")]
        failures = []
        for win, info in sorted(windows.items(), key=lambda w: w[1]["rect"][0]):
            x, y, w, h = info["rect"]
            assert x + w <= SCREEN[0] and y + h <= SCREEN[1], f"{info['title']} is off the screen: {info['rect']}"
            title = re.sub(r"[^A-Za-z0-9.~-]+", "_", info["title"].split(" - ")[0].strip()) or "window"
            shot = os.path.join(SHOTS, f"{stem}--{title}.png")
            subprocess.run([importer, "-display", display, "-window", "root", "-crop", f"{w}x{h}+{x}+{y}", shot],
                           check=True, timeout=60)
            found = boxes(items, win)
            assert found, f"{info['title']}: no box was drawn"
            failures += [f"{info['title']}: {p}" for p in overlapping(found)]
        assert len(windows) == 1 + len(subpatches(open(path).read())), [w["title"] for w in windows.values()]
        assert not failures, f"boxes overlap as Pd's GUI draws them (screenshots in {SHOTS}):\n" + "\n".join(failures)
    finally:
        if pd is not None and pd.poll() is None:
            os.killpg(pd.pid, signal.SIGTERM)
            pd.wait(timeout=30)
        xvfb.terminate()
        xvfb.wait(timeout=30)

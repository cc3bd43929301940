# SPDX-License-Identifier: MIT
"""Listing the downloadable models does not block Pd (issue 6 follow-up): the list endpoint of
tests/download/server.py answers after 2 s (`/slowlist/`), [nn~] gets `print_available_models`
and [nn.info] gets `models`. The message sent right after them, and one sent a logical second
later by [delay], must reach their [print] before any card is printed: Pd went on running its
scheduler while the list was fetched. The cards arrive afterwards. The patch runs until the
test has seen every card line, then the test tells it to quit by creating a file the patch
looks for ([file isfile]; batch mode polls no socket, so [netreceive] cannot do it): the test
waits for the cards themselves, never for a guessed time."""
import os
import subprocess
import threading
import types

import pdtest

CARDS = 15  # what server.py lists


def build_patch(api, flag):
    main = pdtest.Patch()
    nn = main.obj("nn~")
    info = main.obj("nn.info")
    models = main.obj("print models")
    main.connect(info, 1, models, 0)
    load = main.obj("loadbang")
    order = main.obj("t b b b")
    main.connect(load, 0, order, 0)
    ask_nn = main.msg(pdtest.escape(f"api {api}, print_available_models"))
    main.connect(order, 2, ask_nn, 0)
    main.connect(ask_nn, 0, nn, 0)
    ask_info = main.msg(pdtest.escape(f"api {api}, models"))
    main.connect(order, 1, ask_info, 0)
    main.connect(ask_info, 0, info, 0)
    after = main.obj("print after")
    main.connect(order, 0, after, 0)
    later = main.obj("delay 1000")
    main.connect(load, 0, later, 0)
    later_print = main.obj("print later")
    main.connect(later, 0, later_print, 0)
    # The test creates `flag` once it has seen the cards.
    metro = main.obj("metro 200")
    main.connect(load, 0, metro, 0)
    path = main.msg(f"symbol {flag}")
    main.connect(metro, 0, path, 0)
    isfile = main.obj("file isfile")
    main.connect(path, 0, isfile, 0)
    found = main.obj("sel 1")
    main.connect(isfile, 0, found, 0)
    finish = main.obj("t b b")
    main.connect(found, 0, finish, 0)
    stop = main.msg("stop")
    main.connect(finish, 1, stop, 0)
    main.connect(stop, 0, metro, 0)
    pdtest.quit_after(main, finish)
    return main


def run_until_cards(patch, workdir, flag, timeout=120):
    """Runs Pd, reading its output as it comes; asks the patch to quit once [nn~] printed its
    last card and [nn.info] its count. Returns a pdtest.PdRun."""
    command, env = pdtest.pd_command(patch, workdir, models_on_path=False)
    proc = subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    lines = []
    seen = threading.Event()

    def read():
        nn_cards = -1  # card lines still expected from [nn~], once it announced them
        info_done = False
        for line in proc.stdout:
            lines.append(line)
            text = line.strip()
            if text.startswith("nn~:") and "model(s) available for download" in text:
                nn_cards = int(text.split()[1])
            elif nn_cards > 0 and line.startswith("  "):
                nn_cards -= 1
            elif text.startswith("models: count"):
                info_done = True
            if "could not fetch the list" in text or (nn_cards == 0 and info_done):
                seen.set()
        seen.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not seen.wait(timeout):
            raise AssertionError("no card list within %d s:\n%s" % (timeout, "".join(lines[-40:])))
        with open(flag, "w"):
            pass
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=10)
    return pdtest.PdRun(types.SimpleNamespace(returncode=proc.returncode, stderr="".join(lines), stdout=""), workdir)


def test_list_does_not_block(tmp_path):
    with pdtest.download_server("slowlist") as api:
        flag = os.path.join(str(tmp_path), "quit.flag")
        run = run_until_cards(build_patch(api, flag), str(tmp_path), flag)
    run.check_alive()
    assert not run.errors, run.errors
    lines = run.lines

    def first(predicate, what):
        for i, line in enumerate(lines):
            if predicate(line):
                return i
        raise AssertionError(f"no {what} in Pd's output:\n" + "\n".join(lines[-40:]))

    after = first(lambda l: l.startswith("after: bang"), "'after: bang'")
    later = first(lambda l: l.startswith("later: bang"), "'later: bang'")
    announce = first(lambda l: l.startswith("nn~:") and "model(s) available for download" in l,
                     "[nn~] card list")
    card_lines = [l for l in lines[announce + 1:] if l.startswith("  ")]
    info_cards = [t for t in run.printed("models") if t[:1] == ["model"]]
    first_info_card = first(lambda l: l.startswith("models: model"), "[nn.info] card")
    # Pd ran the next message, then a logical second, while both requests were in flight.
    assert after < later < announce, lines
    assert later < first_info_card, lines
    assert lines[announce].split()[1] == str(CARDS), lines[announce]
    assert [l.strip() for l in card_lines[:CARDS]][:1] == ["ircam/rave/isis"], card_lines
    assert "  test/models/gain" in card_lines, card_lines
    assert len(info_cards) == CARDS and ["model", "ircam/rave/isis"] in info_cards, info_cards
    assert run.printed("models")[-1] == ["count", str(CARDS)]

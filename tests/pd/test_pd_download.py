# SPDX-License-Identifier: MIT
"""Model download from Pd against a real HTTP server on 127.0.0.1 (tests/download/server.py,
a fake IRCAM Forum API): `api`, `print_available_models`, `download`, then `load` by bare
name from the per-user models folder, `remove`; a card that could escape the folder is
refused with one error line and no request; [nn.info] lists the cards on its right outlet."""
import os

import pdtest


def test_download_load_remove(tmp_path):
    with pdtest.download_server("api") as api:
        main = pdtest.Patch()
        nn = main.obj("nn~")
        pr = main.obj("print info")
        main.connect(nn, 1, pr, 0)
        route = main.obj("route downloaded")
        main.connect(nn, 1, route, 0)
        # Once the download is reported: load it by bare name, show the state, remove it.
        after = main.msg("load gain \\, bang \\, remove gain")
        main.connect(route, 0, after, 0)
        main.connect(after, 0, nn, 0)
        info = main.obj("nn.info")
        prm = main.obj("print models")
        main.connect(info, 1, prm, 0)
        load = main.obj("loadbang")
        start = main.msg(pdtest.escape(f"api {api}, print_available_models, download ../evil/x, "
                                       "download test/models/gain"))
        main.connect(load, 0, start, 0)
        main.connect(start, 0, nn, 0)
        models = main.msg(pdtest.escape(f"api {api}, models"))
        main.connect(load, 0, models, 0)
        main.connect(models, 0, info, 0)
        done = main.obj("t b b")
        main.connect(after, 0, done, 0)
        end = main.obj("delay 50")
        main.connect(done, 0, end, 0)
        pdtest.quit_after(main, end)
        # Without <build>/models on Pd's path, so that `load gain` finds the downloaded file.
        run = pdtest.run_pd(main, str(tmp_path), timeout=120, models_on_path=False)
    run.check_alive()
    user_models = os.path.join(str(tmp_path), "user_models")
    installed = os.path.join(user_models, "gain.ts")
    downloaded = [t for t in run.printed("info") if t[:1] == ["downloaded"]]
    assert downloaded == [["downloaded", "test/models/gain", installed]], run.lines
    info = run.info()
    assert info["loaded"] == ["1"] and info["model"] == [installed], info
    assert "test/models/gain" in run.output and "ircam/rave/isis" in run.output, "print_available_models"
    assert "model gain deleted" in run.output and not os.path.exists(installed)
    errors = run.errors
    assert len(errors) == 1 and "../evil/x" in errors[0], errors
    cards = [t for t in run.printed("models") if t[:1] == ["model"]]
    assert ["model", "test/models/gain"] in cards and ["model", "ircam/rave/isis"] in cards, cards
    assert run.printed("models")[-1] == ["count", str(len(cards))]

#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A fake IRCAM Forum model API on 127.0.0.1 for the download tests.

Listens on a free port, prints that port on stdout (one line) and serves until killed.
The first path segment picks how the model list behaves (`/api/` is a good API, `/slowlist/`
answers it after 2 s, `/e404/`, `/e500/`, `/badjson/`, `/notobject/`, `/htmllist/` are broken
ones, `/stalllist/` sends a few bytes and then nothing for minutes); the last part of
the requested card picks how a download behaves (`gain` is good, the others each fail in
one way). `/stats` returns how many requests were made, so a test can check that a
refused card never reached the server.
"""
import argparse
import http.server
import json
import sys
import threading
import time
import urllib.parse

MODEL_NAMES = ["gain", "slow", "html", "truncated", "stall", "redirect", "ftp", "loop",
               "huge", "toolarge", "missing", "error", "empty", "with space&x=1"]

CARD_LIST = {
    "test": {"models": {name: {"description": "served by server.py"} for name in MODEL_NAMES}},
    "ircam": {"rave": {"isis": {"sr": 44100}}},
    "odd": "not an object",
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_body(self, code, body, content_type="application/octet-stream", length=None):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/stats":
            self.send_body(200, json.dumps({"requests": self.server.requests}).encode(), "application/json")
            return
        with self.server.lock:
            self.server.requests += 1
        parts = url.path.strip("/").split("/")
        if url.path == "/files/gain.ts":
            self.send_body(200, self.server.model)
        elif len(parts) == 2 and parts[1] == "available_models":
            self.list_models(parts[0])
        elif len(parts) == 2 and parts[1] == "download_model":
            query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            self.download(query.get("model", [""]))
        else:
            self.send_body(404, b"not found", "text/plain")

    def list_models(self, mode):
        if mode == "api":
            self.send_body(200, json.dumps(CARD_LIST).encode(), "application/json")
        elif mode == "slowlist":
            time.sleep(2)
            self.send_body(200, json.dumps(CARD_LIST).encode(), "application/json")
        elif mode == "stalllist":
            body = json.dumps(CARD_LIST).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:10])
            self.wfile.flush()
            time.sleep(120)
        elif mode == "e404":
            self.send_body(404, b"<html>Not Found</html>", "text/html")
        elif mode == "e500":
            self.send_body(500, b"<html>Internal Server Error</html>", "text/html")
        elif mode == "badjson":
            self.send_body(200, b'{"test": {"models": {"gain": ', "application/json")
        elif mode == "notobject":
            self.send_body(200, b'["test/models/gain"]', "application/json")
        elif mode == "htmllist":
            self.send_body(200, b"<!DOCTYPE html><html><body>maintenance</body></html>", "text/html")
        else:
            self.send_body(404, b"unknown API root", "text/plain")

    def download(self, values):
        model = self.server.model
        card = values[0] if len(values) == 1 else ""
        if not card.startswith("test/models/"):
            self.send_body(404, b"unknown model", "text/plain")
            return
        name = card[len("test/models/"):]
        if name == "gain" or name == "with space&x=1":
            self.send_body(200, model)
        elif name == "slow":
            self.send_response(200)
            self.send_header("Content-Length", str(len(model)))
            self.end_headers()
            step = max(1, len(model) // 8)
            for i in range(0, len(model), step):
                self.wfile.write(model[i:i + step])
                self.wfile.flush()
                time.sleep(0.1)
        elif name == "html":
            self.send_body(200, b"<!DOCTYPE html><html><body>Please log in</body></html>", "text/html")
        elif name == "truncated":
            self.send_body(200, model[: len(model) // 2], length=len(model))
        elif name == "stall":
            self.send_response(200)
            self.send_header("Content-Length", str(len(model)))
            self.end_headers()
            self.wfile.write(model[:1000])
            self.wfile.flush()
            time.sleep(120)
        elif name == "redirect":
            self.redirect("/files/gain.ts")
        elif name == "ftp":
            self.redirect("ftp://127.0.0.1:%d/gain.ts" % self.server.server_address[1])
        elif name == "loop":
            self.redirect(self.path)
        elif name == "huge":
            # Announces 3 GiB: over the default 2 GiB limit before any byte is sent.
            self.send_body(200, b"PK\x03\x04", length=3 << 30)
        elif name == "toolarge":
            # No Content-Length: only counting the bytes can catch it (tests lower the limit).
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"PK\x03\x04" + bytes(65532)
            try:
                for _ in range(64):
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True
        elif name == "missing":
            self.send_body(404, b"<html>no such model</html>", "text/html")
        elif name == "error":
            self.send_body(500, b"<html>Internal Server Error</html>", "text/html")
        elif name == "empty":
            self.send_body(200, b"")
        else:
            self.send_body(404, b"unknown model", "text/plain")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True, help="the model file served for good cards")
    args = parser.parse_args()
    with open(args.model, "rb") as f:
        model = f.read()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.model = model
    server.requests = 0
    server.lock = threading.Lock()
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())

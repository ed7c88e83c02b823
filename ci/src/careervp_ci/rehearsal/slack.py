"""Slack's incoming webhook, stood in on loopback: it answers every POST `ok`, as Slack does, and keeps each
message's text so a scenario can check what the team would have read (the drift tables). The containers run
on the host network, so the URL reaches them unchanged."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class SlackStandIn:
    url: str
    messages: list[str] = field(default_factory=list)


@contextmanager
def slack_stand_in() -> Iterator[SlackStandIn]:
    stand_in = SlackStandIn("")

    class Webhook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                stand_in.messages.append(str(json.loads(body)["text"]))
            except (ValueError, KeyError, TypeError):
                self.send_response(400)  # Slack refuses a payload without text: "no_text"
                self.end_headers()
                self.wfile.write(b"no_text")
                return
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the rehearsal's log is the jobs' output."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}/services/rehearsal"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()

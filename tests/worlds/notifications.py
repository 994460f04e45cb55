"""Helpers of the notification tests: a mail backend that fails, a group robot that answers or hangs (no tests)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from smtplib import SMTPException
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


class BrokenEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise SMTPException("SMTP server refused the connection (test)")


@contextmanager
def robot(answer: dict[str, Any] | None = None, delay: float = 0.0) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local group robot on 127.0.0.1: yields its URL and the JSON bodies it received."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            received.append(json.loads(self.rfile.read(length)))
            time.sleep(delay)
            body = json.dumps(answer if answer is not None else {"errcode": 0, "errmsg": "ok"}).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (timeout)
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test", received
    finally:
        server.shutdown()
        server.server_close()

"""The load test's browser: a minimal HTTP/1.1 client on asyncio streams (standard library only) and the forms it
reads from a page."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 30.0


# --- a minimal HTTP/1.1 client on asyncio streams -------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str:
        return (self.headers.get(name.lower()) or [""])[0]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


async def http(port: int, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Response:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {HOST}:{port}",
            "Connection: close",
            "Accept: text/html",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        parsed: dict[str, list[str]] = defaultdict(list)
        for line in header_lines:
            if ":" in line:
                key, value = line.split(":", 1)
                parsed[key.strip().lower()].append(value.strip())
        if "chunked" in (parsed.get("transfer-encoding") or [""])[0].lower():
            chunks = []
            while True:
                size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    break
                chunks.append(await reader.readexactly(size))
                await reader.readline()
            data = b"".join(chunks)
        elif parsed.get("content-length"):
            data = await reader.readexactly(int(parsed["content-length"][0]))
        else:
            data = await reader.read()
        return Response(status, dict(parsed), data)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()


# --- forms ----------------------------------------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    text_names: list[str] = field(default_factory=list)  # fillable inputs (text/number)


class FormParser(HTMLParser):
    """Collects <form>s with their inputs, selects (selected or first option) and textareas."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form.fields.append((a["name"], a.get("value", "")))
            if kind in ("text", "number", "") and a["name"] != "csrfmiddlewaretoken":
                self._form.text_names.append(a["name"])
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [])
        elif tag == "option" and self._select is not None:
            self._select[1].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea = (a["name"], [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = next((v for v, sel in options if sel), options[0][0] if options else "")
            self._form.fields.append((name, chosen))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            # A browser drops one newline right after <textarea> (HTML's parsing rules; Django writes one there):
            # kept, an empty note went back as "\n", which the load test took for a note already written.
            text = "".join(self._textarea[1])
            text = text[2:] if text.startswith("\r\n") else text[1:] if text.startswith("\n") else text
            self._form.fields.append((self._textarea[0], text))
            self._textarea = None


def parse_forms(html: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms

"""A real HTTP server on 127.0.0.1 that plays arXiv: recorded fixtures and our own bodies."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.conftest import shared_file

HERE = Path(__file__).resolve().parent / "fixtures"
HOP_BY_HOP = {"transfer-encoding", "content-length", "connection"}


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=lambda: [("Content-Type", "text/xml")])
    hang_up: bool = False  # close the connection without answering (a server that dies)

    @classmethod
    def from_file(cls, path: Path, status: int = 200) -> Reply:
        """A body file and, when present, its ``.headers`` (a flat JSON list name, value, ...)."""
        headers_path = path.with_name(path.name + ".headers")
        headers = [("Content-Type", "text/xml")]
        if headers_path.exists():
            flat = json.loads(headers_path.read_text())
            headers = list(zip(flat[0::2], flat[1::2], strict=True))
        return cls(status=status, body=path.read_bytes(), headers=headers)


def shared_reply(*parts: str, status: int = 200) -> Reply:
    return Reply.from_file(shared_file("fixtures", *parts), status=status)


def own_reply(name: str, status: int = 200) -> Reply:
    return Reply.from_file(HERE / name, status=status)


HANG_UP = Reply(hang_up=True)


@dataclass
class Request:
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    method: str = "GET"
    body: bytes = b""


@dataclass
class Route:
    path: str
    match: dict[str, str]
    replies: list[Reply]
    served: int = 0

    def next_reply(self) -> Reply:
        reply = self.replies[min(self.served, len(self.replies) - 1)]  # the last one repeats
        self.served += 1
        return reply


class FakeArxiv:
    """Routes GET (and POST) requests by path and query parameters to scripted replies;
    records requests (tests/signals/ serves the other services' recordings with it too)."""

    def __init__(self):
        self.routes: list[Route] = []
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def route(self, path: str, match: dict[str, str], *replies: Reply) -> Route:
        """Answer GET ``path`` whose query contains every item of ``match`` with ``replies``
        in turn (the last repeats); routes added later are tried first."""
        route = Route(path, match, list(replies))
        with self.lock:
            self.routes.insert(0, route)
        return route

    def params(self, path: str = "") -> list[dict[str, str]]:
        return [r.params for r in self.requests if not path or r.path == path]

    def _answer(self, path: str, params: dict[str, str]) -> Reply:
        with self.lock:
            for route in self.routes:
                if route.path == path and route.match.items() <= params.items():
                    return route.next_reply()
        return Reply(
            status=404,
            body=f"no route for {path} {params}".encode(),
            headers=[("Content-Type", "text/plain")],
        )

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                params = dict(parse_qsl(parts.query, keep_blank_values=True))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with fake.lock:
                    fake.requests.append(
                        Request(parts.path, params, dict(self.headers), self.command, body)
                    )
                reply = fake._answer(parts.path, params)
                if reply.hang_up:
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                for name, value in reply.headers:
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_POST = do_GET  # noqa: N815 - http.server's name

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self) -> FakeArxiv:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def arxiv():
    with FakeArxiv() as fake:
        yield fake


class FakeTime:
    """A clock that moves only when someone sleeps: records every wait asked for."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time():
    return FakeTime()


# --- the scripted arXiv used by several test modules -------------------------------------

API = "/api/query"
FEED_IDS = [
    "1501.05039",
    "1503.01162",
    "quant-ph/0210005",
    "0808.0631",
    "0808.0638",
    "0808.0639",
    "0705.1367",
    "1802.03292",
    "physics/0507092",
    "1312.7288",
]

OAI = "/oai2"
FIRST = {
    "verb": "ListRecords",
    "metadataPrefix": "arXiv",
    "set": "cs",
    "from": "2025-01-01",
    "until": "2025-01-04",
}
TOKEN1 = {"verb": "ListRecords", "resumptionToken": "6146342|1001"}
TOKEN2 = {"verb": "ListRecords", "resumptionToken": "6146342|2001"}
CHAIN_IDS = ["2501.00001", "2501.00002", "2501.00003", "2501.00004", "2501.00005"]


def serve_chain(arxiv, page2=None):
    """A 3-page ListRecords chain; ``page2`` replaces the replies to the first token."""
    arxiv.route(OAI, {"metadataPrefix": "arXiv"}, own_reply("chain-page-1.xml"))
    arxiv.route(
        OAI, {"resumptionToken": "6146342|1001"}, *(page2 or [own_reply("chain-page-2.xml")])
    )
    arxiv.route(OAI, {"resumptionToken": "6146342|2001"}, own_reply("chain-page-3.xml"))

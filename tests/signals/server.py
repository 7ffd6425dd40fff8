"""The recorded responses of ``../shared/fixtures/signals`` served from 127.0.0.1.

``service`` is a fresh :class:`~tests.ingest.arxiv_server.FakeArxiv` (any path, GET or POST);
``recorded(folder, body)`` is the reply recorded as ``body`` in ``folder/index.json``, with its
status and headers (JSON content type where none was recorded).
"""

from __future__ import annotations

import json
from functools import cache

import pytest

from tests.conftest import shared_file
from tests.ingest.arxiv_server import FakeArxiv, Reply


@cache
def _index(folder: str) -> dict[str, dict]:
    entries = json.loads(shared_file("fixtures", "signals", folder, "index.json").read_text())
    return {entry["body"]: entry for entry in entries}


def recorded(folder: str, body: str) -> Reply:
    """The recorded reply whose body file is ``folder/body`` (status and headers as recorded)."""
    entry = _index(folder).get(body, {})
    path = shared_file("fixtures", "signals", folder, body)
    reply = Reply.from_file(path, status=entry.get("status", 200))
    if not path.with_name(path.name + ".headers").exists():
        reply.headers = [("Content-Type", "application/json; charset=utf-8")]
    return reply


def json_reply(data, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Reply:
    """A reply of our own with a JSON body."""
    return Reply(
        status=status,
        body=json.dumps(data).encode(),
        headers=[("Content-Type", "application/json"), *(headers or [])],
    )


@pytest.fixture
def service():
    with FakeArxiv() as fake:
        yield fake

"""Request ids (X-Request-ID) and the JSON access log of logger paperfeed.request."""

from __future__ import annotations

import io
import json
import logging

import pytest

from paperfeed.ops.logging import JsonFormatter, RequestIdFilter, accept_request_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_log():
    """The paperfeed.request logger at INFO, its JSON lines captured."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("paperfeed.request")
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_each_request_gets_an_id_and_one_json_line(client, request_log):
    response = client.get("/healthz?token=secret")
    rid = response["X-Request-ID"]
    assert len(rid) == 32 and rid.isalnum()
    assert client.get("/healthz")["X-Request-ID"] != rid
    first = request_log()[0]
    assert set(first) == {
        "ts", "level", "logger", "message", "request_id", "method", "path", "status",
        "duration_ms",
    }  # fmt: skip
    assert first["request_id"] == rid
    assert (first["level"], first["logger"]) == ("INFO", "paperfeed.request")
    assert (first["method"], first["path"], first["status"]) == ("GET", "/healthz", 200)
    assert first["message"] == "GET /healthz 200"
    assert first["ts"].endswith("Z") and first["duration_ms"] >= 0
    assert "secret" not in json.dumps(first)  # the query string is not logged


def test_a_sane_incoming_id_is_kept_others_replaced(client, request_log):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-42-abc"})["X-Request-ID"] == (
        "lb-42-abc"
    )
    for bad in ("x" * 65, "has space", "semi;colon", "ünï"):
        rid = client.get("/healthz", headers={"X-Request-ID": bad})["X-Request-ID"]
        assert rid != bad and len(rid) == 32
    assert request_log()[0]["request_id"] == "lb-42-abc"


def test_accept_request_id():
    assert accept_request_id("A-1") == "A-1"
    assert accept_request_id("-" * 64) == "-" * 64
    assert accept_request_id(None) != accept_request_id(None)
    assert accept_request_id("a/b") != "a/b"
    assert accept_request_id("") != ""


def test_logs_inside_a_request_carry_its_id(client, monkeypatch):
    from paperfeed.ops import middleware, views

    seen = []

    def healthz(request):
        record = logging.LogRecord("x", logging.WARNING, __file__, 1, "inside", None, None)
        RequestIdFilter().filter(record)
        seen.append((record.request_id, JsonFormatter().format(record)))
        return original(request)

    original = views.healthz
    monkeypatch.setitem(middleware.HEALTH_VIEWS, "/healthz", ("ops:healthz", healthz))
    rid = client.get("/healthz", headers={"X-Request-ID": "abc-123"})["X-Request-ID"]
    assert rid == "abc-123"
    assert seen[0][0] == "abc-123"
    assert json.loads(seen[0][1])["request_id"] == "abc-123"
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "outside", None, None)
    RequestIdFilter().filter(record)
    assert record.request_id is None  # reset after the request

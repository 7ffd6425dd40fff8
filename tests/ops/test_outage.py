"""Database unreachable: 503 with Retry-After (HTML, or JSON under /api/), never a 500, logged
once, and the next request after the database returns is served normally."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.db.utils import InterfaceError, OperationalError
from django.test import Client, override_settings

from paperfeed.ops import middleware
from paperfeed.settings import _database
from tests.ops.conftest import database_down, store_papers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_outage_log(monkeypatch):
    monkeypatch.setattr(middleware, "OUTAGE_LOG", middleware._OutageLog())


def test_page_during_outage_is_503_then_recovers(client):
    (paper_id,) = store_papers(1)
    with database_down():
        response = client.get(f"/papers/{paper_id}")
    assert response.status_code == 503
    assert response["Retry-After"] == str(middleware.RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("text/html")
    assert b"Temporarily unavailable" in response.content
    assert response.headers.get("X-Request-ID")
    assert client.get(f"/papers/{paper_id}").status_code == 200


def test_api_during_outage_is_json_503_then_recovers(client):
    store_papers(1)
    with database_down():
        response = client.get("/api/v1/feeds/daily")
    assert response.status_code == 503
    assert response["Retry-After"] == str(middleware.RETRY_AFTER_SECONDS)
    assert response.json() == {"detail": "The database is unavailable; please retry shortly."}
    assert client.get("/api/v1/feeds/daily").status_code == 200


def test_outage_is_logged_once_not_per_request(client, caplog):
    store_papers(1)
    with caplog.at_level(logging.WARNING), database_down("server closed the connection"):
        for _ in range(3):
            assert client.get("/api/v1/feeds/daily").status_code == 503
    outage = [r for r in caplog.records if r.name == "paperfeed.ops.outage"]
    assert len(outage) == 1
    assert "server closed the connection" in outage[0].getMessage()
    assert not [r for r in caplog.records if r.name == "django.request"]


class FailingMiddleware:
    """Raises the exception named by the request's X-Fail header (an inner middleware that
    touches the database, e.g. a session lookup)."""

    ERRORS = {
        "operational": OperationalError("the database system is shutting down"),
        "interface": InterfaceError("connection already closed"),
        "other": RuntimeError("a plain bug"),
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        kind = request.headers.get("X-Fail")
        if kind:
            raise self.ERRORS[kind]
        return self.get_response(request)


@override_settings(
    MIDDLEWARE=[*settings.MIDDLEWARE, "tests.ops.test_outage.FailingMiddleware"],
    DEBUG_PROPAGATE_EXCEPTIONS=False,
)
def test_errors_from_inner_middleware_become_503_but_bugs_stay_500():
    client = Client(raise_request_exception=False)
    assert client.get("/healthz", headers={"X-Fail": "operational"}).status_code == 200
    for kind in ("operational", "interface"):
        response = client.get("/api/v1/feeds/daily", headers={"X-Fail": kind})
        assert response.status_code == 503, kind
        assert response["Retry-After"] == str(middleware.RETRY_AFTER_SECONDS)
    assert client.get("/", headers={"X-Fail": "other"}).status_code == 500
    assert client.get("/api/v1/feeds/daily").status_code == 200


def test_database_urls_check_connection_health():
    db = _database("postgres://paperfeed@db.example.org:5432/paperfeed")
    assert db["CONN_HEALTH_CHECKS"] is True
    assert db["CONN_MAX_AGE"] == 60
    assert db["OPTIONS"]["connect_timeout"] == 5  # an unreachable server fails fast -> 503


def test_the_connect_timeout_is_a_setting(monkeypatch):
    from paperfeed.config import ConfigError

    monkeypatch.setenv("PAPERFEED_DB_CONNECT_TIMEOUT", "2")
    assert _database("postgres://db.example.org/paperfeed")["OPTIONS"]["connect_timeout"] == 2
    monkeypatch.setenv("PAPERFEED_DB_CONNECT_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="PAPERFEED_DB_CONNECT_TIMEOUT='soon' is not a number"):
        _database("postgres://db.example.org/paperfeed")
    assert "connect_timeout" not in _database("sqlite:////tmp/x.sqlite3")["OPTIONS"]

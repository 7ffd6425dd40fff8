"""Every error under /api/ is JSON in the API's shape, whoever answers it (issue 14, item 14):
django-ninja's 405, Django's 400 for a request it cannot read, the 500 of an exception, unknown
routes, malformed JSON bodies."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def error_of(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), (
        response.status_code,
        response["Content-Type"],
        response.content[:200],
    )
    body = response.json()
    assert body["detail"].strip()
    return body


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("post", "/api/v1/feeds/daily", "GET"),
        ("put", "/api/v1/search", "GET"),
        ("delete", "/api/daily_papers", "GET"),
        ("patch", "/api/v1/submissions", "POST"),
        ("get", "/api/v1/me/onboarding/done", "POST"),
    ],
)
def test_a_method_a_route_does_not_take_is_a_json_405(client, papers, method, url, allowed):
    response = getattr(client, method)(url)
    assert response.status_code == 405
    body = error_of(response)
    assert method.upper() in body["detail"] and allowed in body["detail"]
    assert allowed in response["Allow"]
    assert ("error" in body) == (not url.startswith("/api/v1/"))  # HF's key on HF's routes


@pytest.mark.parametrize("url", ["/api/nothing", "/api/v1/nothing/at/all", "/api/v1/comments/x"])
def test_unknown_api_paths_are_json_404s(client, url):
    assert client.get(url).status_code == 404
    error_of(client.get(url))


def test_a_request_django_cannot_read_is_a_json_400(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"f{i}=1" for i in range(20))
    response = client.get(f"/api/v1/search?q=x&{query}")
    assert response.status_code == 400
    error_of(response)


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b'{"body": "unterminated'])
def test_a_malformed_json_body_is_a_json_400(alice_api, papers, body):
    response = alice_api.post(
        "/api/v1/papers/2503.00001/comments", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    error_of(response)


def test_an_exception_in_an_api_view_is_a_json_500(papers, monkeypatch):
    from paperfeed.papers import lists

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(lists, "trending", broken)
    response = Client(raise_request_exception=False).get("/api/v1/feeds/trending")
    assert response.status_code == 500
    body = error_of(response)
    assert "boom" not in body["detail"]  # nothing of the server's insides
    assert response["X-Request-ID"] in body["detail"]


def test_pages_outside_the_api_keep_their_html_errors(client, papers):
    response = client.get("/papers/9999.99999")
    assert response.status_code == 404
    assert not response.get("Content-Type", "").startswith("application/json")

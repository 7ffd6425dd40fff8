"""GET /api/v1/for-you: the For you picks as JSON, token or session auth."""

from __future__ import annotations

import pytest
from django.test import Client

from paperfeed.accounts.tokens import create_token
from tests.community.factories import logged_in
from tests.digests.test_for_you import GRAPH_RECENT, graph_fan, store  # noqa: F401 - store: the fixture


@pytest.mark.django_db
@pytest.mark.usefixtures("store")
def test_api_twin_shape_and_auth():
    user = graph_fan()
    assert Client().get("/api/v1/for-you").status_code == 401
    token = create_token(user, "for-you test")
    response = Client().get("/api/v1/for-you", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"liked", "categories", "first_day", "last_day", "papers"}
    assert (body["liked"], body["last_day"]) == (2, "2025-06-08")
    first = body["papers"][0]
    assert set(first) == {"id", "title", "section", "why", "primary_category", "feed_day",
                          "upvotes"}  # fmt: skip
    assert {p["id"] for p in body["papers"][:3]} == GRAPH_RECENT
    assert first["section"] == "Recommended for you" and first["why"].startswith("similar to")
    session = logged_in(user).get("/api/v1/for-you")
    assert session.status_code == 200 and session.json() == body

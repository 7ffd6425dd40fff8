"""/api/v1/me/mutes: list, add, remove with a token; muted papers leave the caller's feeds."""

from __future__ import annotations

from django.test import Client

from paperfeed.personal.models import Mute

URL = "/api/v1/me/mutes"


def test_needs_credentials(client, papers):
    assert client.get(URL).status_code == 401
    assert (
        client.post(URL, {"kind": "keyword", "value": "x"}, "application/json").status_code == 401
    )


def test_add_list_delete(alice_api, papers):
    response = alice_api.post(URL, {"kind": "keyword", "value": " KV  Cache "}, "application/json")
    assert response.status_code == 201
    mute = response.json()
    assert mute["kind"] == "keyword" and mute["value"] == "kv cache"
    again = alice_api.post(URL, {"kind": "keyword", "value": "kv cache"}, "application/json")
    assert again.status_code == 200 and again.json()["id"] == mute["id"]
    listed = alice_api.get(URL).json()["mutes"]
    assert [(m["kind"], m["value"]) for m in listed] == [("keyword", "kv cache")]
    assert alice_api.delete(f"{URL}/{mute['id']}").status_code == 204
    assert alice_api.delete(f"{URL}/{mute['id']}").json() == {
        "detail": f"you have no mute {mute['id']}"
    }
    assert not Mute.objects.exists()


def test_refusals_say_why(alice_api, papers):
    bad = alice_api.post(URL, {"kind": "author", "value": "Nobody"}, "application/json")
    assert bad.status_code == 400
    assert bad.json()["detail"].startswith("author: no author called 'Nobody' here")
    wrong_kind = alice_api.post(URL, {"kind": "colour", "value": "red"}, "application/json")
    assert wrong_kind.status_code in (400, 422) and "kind" in wrong_kind.json()["detail"]


def test_muted_papers_leave_the_callers_feed_only(alice_api, papers):
    before = {p["id"] for p in alice_api.get("/api/v1/feeds/daily?date=2025-03-18").json()["items"]}
    assert "2503.00001" in before
    alice_api.post(URL, {"kind": "keyword", "value": "key-value"}, "application/json")
    after = {p["id"] for p in alice_api.get("/api/v1/feeds/daily?date=2025-03-18").json()["items"]}
    assert after == before - {"2503.00001"}
    anonymous = Client().get("/api/v1/feeds/daily?date=2025-03-18").json()["items"]
    assert {p["id"] for p in anonymous} == before


def test_session_needs_csrf(alice, papers):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.get(URL).status_code == 200
    response = browser.post(URL, {"kind": "keyword", "value": "cache"}, "application/json")
    assert response.status_code == 403 and not Mute.objects.exists()

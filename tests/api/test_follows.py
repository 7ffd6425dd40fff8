"""/api/v1/me/follows and /api/v1/me/feed-token: list, follow, alert, unfollow, a follow's
papers, the private feed URLs and their rotation; token or session with CSRF."""

from __future__ import annotations

from django.test import Client

from paperfeed.papers.models import Author
from paperfeed.personal import follows
from paperfeed.personal.models import Follow

URL = "/api/v1/me/follows"
JSON = "application/json"


def turing() -> int:
    return Author.objects.get(name="Alan Turing").pk


def test_needs_credentials(client, papers):
    assert client.get(URL).status_code == 401
    assert client.post(URL, {"kind": "search", "value": "kv"}, JSON).status_code == 401
    assert client.get("/api/v1/me/feed-token").status_code == 401
    assert client.post("/api/v1/me/feed-token").status_code == 401


def test_follow_list_alert_unfollow(alice_api, papers):
    response = alice_api.post(URL, {"kind": "author", "value": str(turing())}, JSON)
    assert response.status_code == 201
    made = response.json()
    assert (made["kind"], made["label"], made["alert"]) == ("author", "Alan Turing", "none")
    assert made["url"] == f"/follows/{made['id']}"
    again = alice_api.post(URL, {"kind": "author", "value": str(turing()), "alert": "daily"}, JSON)
    assert again.status_code == 200 and again.json()["alert"] == "daily"
    alice_api.post(URL, {"kind": "search", "value": "  kv   cache "}, JSON)
    listed = alice_api.get(URL).json()["follows"]
    assert [(f["kind"], f["value"]) for f in listed] == [
        ("author", str(turing())),
        ("search", "kv cache"),
    ]
    patched = alice_api.patch(f"{URL}/{made['id']}", {"alert": "weekly"}, JSON)
    assert patched.status_code == 200 and patched.json()["alert"] == "weekly"
    assert alice_api.patch(f"{URL}/{made['id']}", {"alert": "hourly"}, JSON).status_code == 422
    assert alice_api.delete(f"{URL}/{made['id']}").status_code == 204
    gone = alice_api.delete(f"{URL}/{made['id']}")
    assert gone.status_code == 404 and gone.json() == {"detail": f"you have no follow {made['id']}"}
    assert alice_api.patch(f"{URL}/{made['id']}", {"alert": "daily"}, JSON).status_code == 404


def test_refusals_say_why(alice_api, papers):
    bad = alice_api.post(URL, {"kind": "category", "value": "cs.XX"}, JSON)
    assert bad.status_code == 400
    assert (
        bad.json()["detail"]
        == "category: 'cs.XX' is not an arXiv category (e.g. cs.LG, or cs for all of cs)"
    )
    nobody = alice_api.post(URL, {"kind": "author", "value": "99999"}, JSON)
    assert nobody.json()["detail"] == "author: no author with id 99999"
    wrong = alice_api.post(URL, {"kind": "colour", "value": "red"}, JSON)
    assert wrong.status_code in (400, 422) and "kind" in wrong.json()["detail"]
    assert not Follow.objects.exists()


def test_a_follows_papers_newest_first_paged(alice_api, alice, bob, papers):
    row, _ = follows.follow(alice, "author", turing())
    body = alice_api.get(f"{URL}/{row.pk}/papers", {"per_page": 1}).json()
    assert [p["id"] for p in body["items"]] == ["2503.00003"]  # both on one day: larger id first
    assert (body["total"], body["pages"], body["has_next"]) == (2, 2, True)
    assert body["follow"]["label"] == "Alan Turing"
    second = alice_api.get(f"{URL}/{row.pk}/papers", {"page": 2, "per_page": 1}).json()
    assert [p["id"] for p in second["items"]] == ["2503.00001"]
    assert alice_api.get(f"{URL}/{row.pk}/papers", {"page": 0}).status_code == 400
    theirs, _ = follows.follow(bob, "category", "cs")
    assert alice_api.get(f"{URL}/{theirs.pk}/papers").status_code == 404


def test_feed_token_urls_and_rotation(alice_api, papers):
    first = alice_api.get("/api/v1/me/feed-token").json()
    assert first["follows_rss"] == f"http://testserver/feeds/private/{first['token']}/follows.rss"
    assert first["follow_rss"].endswith(f"/feeds/private/{first['token']}/follows/{{id}}.rss")
    assert alice_api.get("/api/v1/me/feed-token").json() == first
    rotated = alice_api.post("/api/v1/me/feed-token").json()
    assert rotated["token"] != first["token"]
    assert Client().get(first["follows_rss"].removeprefix("http://testserver")).status_code == 404
    fresh = Client().get(rotated["follows_rss"].removeprefix("http://testserver"))
    assert fresh.status_code == 200


def test_session_needs_csrf(alice, papers):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.get(URL).status_code == 200
    assert browser.post(URL, {"kind": "search", "value": "kv cache"}, JSON).status_code == 403
    assert browser.post("/api/v1/me/feed-token").status_code == 403
    assert not Follow.objects.exists()

"""/api/v1/me/preferences and /api/v1/me/seen: token or session with CSRF, validated input,
and the caller's feeds follow the seen mode."""

from __future__ import annotations

from django.test import Client

from paperfeed.personal import seen
from paperfeed.personal.models import Preferences, Seen

PREFS = "/api/v1/me/preferences"
SEEN = "/api/v1/me/seen"
DAILY = "/api/v1/feeds/daily?date=2025-03-18"


def test_needs_credentials(client, papers):
    assert client.get(PREFS).status_code == 401
    assert client.patch(PREFS, {"seen": "hide"}, "application/json").status_code == 401
    assert client.get(SEEN).status_code == 401
    assert client.post(SEEN, {"paper_id": "2503.00001"}, "application/json").status_code == 401
    assert client.delete(f"{SEEN}/2503.00001").status_code == 401


def test_preferences_default_then_patch(alice_api, alice, papers):
    assert alice_api.get(PREFS).json() == {"seen": "dim", "order": "auto", "onboarded_at": None}
    response = alice_api.patch(PREFS, {"seen": "hide"}, "application/json")
    assert response.status_code == 200 and response.json()["seen"] == "hide"
    response = alice_api.patch(PREFS, {"order": "community"}, "application/json")
    assert response.json() == {"seen": "hide", "order": "community", "onboarded_at": None}
    row = Preferences.objects.get(user=alice)
    assert (row.seen, row.order) == ("hide", "community")


def test_bad_preferences_are_refused_by_name_and_change_nothing(alice_api, alice, papers):
    bad = alice_api.patch(PREFS, {"seen": "hide", "order": "random"}, "application/json")
    assert bad.status_code == 400
    assert bad.json()["detail"].startswith("order must be one of auto, community, for_you")
    bad = alice_api.patch(PREFS, {"seen": "gone"}, "application/json")
    assert bad.json()["detail"] == "seen must be one of show, dim, hide, not 'gone'"
    assert alice_api.patch(PREFS, {}, "application/json").json()["detail"] == (
        "send seen and/or order"
    )
    assert not Preferences.objects.exists()


def test_dismiss_list_and_undo(alice_api, alice, papers):
    response = alice_api.post(SEEN, {"paper_id": "2503.00001"}, "application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["paper_id"], body["how"]) == ("2503.00001", "dismissed") and body["title"]
    opened = alice_api.post(SEEN, {"paper_id": "2503.00002", "how": "opened"}, "application/json")
    assert opened.status_code == 201 and opened.json()["how"] == "opened"
    page = alice_api.get(f"{SEEN}?per_page=1").json()
    assert page["total"] == 2 and page["has_next"] and len(page["items"]) == 1
    assert page["items"][0]["paper_id"] == "2503.00002"  # newest first
    only = alice_api.get(f"{SEEN}?how=dismissed").json()
    assert [i["paper_id"] for i in only["items"]] == ["2503.00001"]
    assert alice_api.delete(f"{SEEN}/2503.00001").status_code == 204
    gone = alice_api.delete(f"{SEEN}/2503.00001")
    assert gone.status_code == 404
    assert gone.json()["detail"] == "you have not dismissed '2503.00001'"
    assert list(Seen.objects.values_list("paper_id", flat=True)) == ["2503.00002"]


def test_seen_refusals_say_why(alice_api, papers):
    bad = alice_api.post(SEEN, {"paper_id": "2503.99999"}, "application/json")
    assert bad.status_code == 400
    assert bad.json()["detail"] == "paper_id: no paper '2503.99999' here"
    wrong = alice_api.post(SEEN, {"paper_id": "2503.00001", "how": "liked"}, "application/json")
    assert wrong.status_code in (400, 422) and "how" in wrong.json()["detail"]
    assert alice_api.get(f"{SEEN}?per_page=500").status_code in (400, 422)
    # a page whose offset overflows the database's integer (found by schemathesis: a 500)
    huge = alice_api.get(f"{SEEN}?page=184467440737095518")
    assert huge.status_code == 422 and "page" in huge.json()["detail"]
    assert not Seen.objects.exists()


def test_feeds_follow_the_seen_mode_and_say_seen(alice_api, alice, papers):
    seen.dismiss(alice, "2503.00001")
    items = alice_api.get(DAILY).json()["items"]
    marks = {i["id"]: i["seen"] for i in items}
    assert marks["2503.00001"] is True and not any(v for k, v in marks.items() if k != "2503.00001")
    alice_api.patch(PREFS, {"seen": "hide"}, "application/json")
    after = {i["id"] for i in alice_api.get(DAILY).json()["items"]}
    assert after == set(marks) - {"2503.00001"}
    anonymous = Client().get(DAILY).json()["items"]
    assert {i["id"] for i in anonymous} == set(marks)
    assert all(i["seen"] is None for i in anonymous)


def test_session_needs_csrf(alice, papers):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.get(PREFS).status_code == 200
    assert browser.patch(PREFS, {"seen": "hide"}, "application/json").status_code == 403
    assert browser.post(SEEN, {"paper_id": "2503.00001"}, "application/json").status_code == 403
    assert not Preferences.objects.exists() and not Seen.objects.exists()

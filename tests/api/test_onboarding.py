"""/api/v1/me/onboarding (state, categories, topics, suggestions, done) and
/api/v1/papers/{id}/feedback: token or session with CSRF, clear refusals."""

from __future__ import annotations

from django.test import Client

from paperfeed.digests.models import Feedback
from paperfeed.personal.models import Follow, Preferences

URL = "/api/v1/me/onboarding"
JSON = "application/json"


def test_needs_credentials(client, papers):
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}/suggestions").status_code == 401
    assert client.put(f"{URL}/topics", {"topics": ["kv cache"]}, JSON).status_code == 401
    assert client.post(f"{URL}/done").status_code == 401
    assert client.put("/api/v1/papers/2503.00001/feedback", {"signal": 1}, JSON).status_code == 401
    assert not Follow.objects.exists() and not Feedback.objects.exists()


def test_session_writes_need_the_csrf_token(alice, papers):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.get(URL).status_code == 200
    refused = browser.put(f"{URL}/categories", {"categories": ["cs.LG"]}, JSON)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not Follow.objects.exists()


def test_steps_and_state(alice_api, alice, papers):
    assert alice_api.get(URL).json() == {
        "categories": [],
        "topics": [],
        "marked": [],
        "onboarded_at": None,
    }
    cats = alice_api.put(f"{URL}/categories", {"categories": ["cs.LG", "cs.CL"]}, JSON)
    assert cats.status_code == 200 and cats.json()["categories"] == ["cs.LG", "cs.CL"]
    topics = alice_api.put(f"{URL}/topics", {"topics": [" kv   cache ", "molecules"]}, JSON)
    assert topics.json()["topics"] == ["kv cache", "molecules"]
    marked = alice_api.put("/api/v1/papers/cs/9809007/feedback", {"signal": 1}, JSON)
    assert marked.status_code == 200 and marked.json() == {"id": "cs/9809007", "signal": 1}
    done = alice_api.post(f"{URL}/done")
    assert done.status_code == 200 and done.json()["onboarded_at"]
    state = alice_api.get(URL).json()
    assert state["categories"] == ["cs.LG", "cs.CL"] and state["topics"] == [
        "kv cache",
        "molecules",
    ]
    assert state["marked"] == ["cs/9809007"]
    assert Preferences.objects.get(user=alice).onboarded_at is not None
    # replacing: what is left out is unfollowed
    alice_api.put(f"{URL}/categories", {"categories": ["cs.CL"]}, JSON)
    assert alice_api.get(URL).json()["categories"] == ["cs.CL"]


def test_refusals_name_what_was_wrong(alice_api, papers):
    bad = alice_api.put(f"{URL}/categories", {"categories": ["cs.LG", "cs.XX"]}, JSON)
    assert bad.status_code == 400
    assert bad.json()["detail"] == (
        "categories: cs.XX is not an arXiv category (pick from the list, e.g. cs.LG)"
    )
    many = alice_api.put(f"{URL}/topics", {"topics": [f"t{i:02d}" for i in range(11)]}, JSON)
    assert many.status_code == 400 and many.json()["detail"] == "topics: at most 10 topics, not 11"
    wrong_type = alice_api.put(f"{URL}/topics", {"topics": "kv cache"}, JSON)
    assert wrong_type.status_code in (400, 422) and "topics" in wrong_type.json()["detail"]
    assert not Follow.objects.exists()


def test_feedback_toggles_and_refuses_bad_input(alice_api, alice, papers):
    url = "/api/v1/papers/2503.00001/feedback"
    assert alice_api.put(url, {"signal": -1}, JSON).json() == {"id": "2503.00001", "signal": -1}
    assert Feedback.objects.get(user=alice).signal == -1
    assert alice_api.put(url, {"signal": None}, JSON).json()["signal"] is None
    assert not Feedback.objects.exists()
    bad = alice_api.put(url, {"signal": 2}, JSON)
    assert bad.status_code == 400 and "signal" in bad.json()["detail"]
    unknown = alice_api.put("/api/v1/papers/2503.09999/feedback", {"signal": 1}, JSON)
    assert unknown.status_code == 404 and unknown.json()["detail"] == "no paper 2503.09999"
    assert alice_api.put("/api/v1/papers/nonsense/feedback", {"signal": 1}, JSON).status_code == 400


def test_suggestions_are_the_welcome_pages_list(alice_api, alice, papers, data_home):
    alice_api.put(f"{URL}/categories", {"categories": ["cs.LG"]}, JSON)
    alice_api.put("/api/v1/papers/2503.00003/feedback", {"signal": 1}, JSON)
    items = alice_api.get(f"{URL}/suggestions").json()["items"]
    assert {i["id"] for i in items} == {"2503.00001", "2503.00003"}  # cs.LG's recent papers
    by_id = {i["id"]: i for i in items}
    assert by_id["2503.00003"]["marked"] and not by_id["2503.00001"]["marked"]
    assert by_id["2503.00003"]["why"] == "popular in cs.LG"
    assert by_id["2503.00003"]["authors"] == ["Marie Curie", "Alan Turing"]

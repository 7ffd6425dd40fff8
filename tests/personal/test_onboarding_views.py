"""The /welcome pages: login required, each step's POST (CSRF) and its bad input, skipping,
revisiting, marking in place (htmx) and without JavaScript, and the first login landing here."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from paperfeed.digests.models import Feedback
from paperfeed.personal import onboarding
from paperfeed.personal.models import Follow, Preferences
from paperfeed.search.sync import sync_indexes
from tests.web.conftest import make_user, record, store

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def corpus(data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    today = timezone.now().date()
    store(
        record(today, arxiv_id="2601.00001", title="Speculative decoding with draft models"),
        record(today, arxiv_id="2601.00002", title="Protein folding at scale",
               categories=("q-bio.BM",)),
        record(today, arxiv_id="hep-th/0101001", title="Strings, an old paper",
               categories=("hep-th",)),
    )  # fmt: skip
    sync_indexes(progress=False)


def marked_buttons(html: str) -> dict[str, str]:
    """paper id -> aria-pressed of its mark button."""
    found = re.findall(
        r'action="/welcome/mark/([^"]+)".*?aria-pressed="(true|false)"', html, flags=re.S
    )
    return dict(found)


@pytest.mark.parametrize("path", ["/welcome", "/welcome/topics", "/welcome/papers"])
def test_login_required(client, db, path):
    response = client.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_posts_need_login_and_csrf(alice):
    anonymous = Client()
    assert anonymous.post("/welcome", {"categories": "cs.CL"}).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    for path, data in [
        ("/welcome", {"categories": "cs.CL"}),
        ("/welcome/topics", {"topics": "kv cache"}),
        ("/welcome/mark/2601.00001", {"marked": "1"}),
        ("/welcome/done", {}),
    ]:
        assert strict.post(path, data).status_code == 403, path
    assert not Follow.objects.exists() and not Preferences.objects.exists()


def test_get_only_where_nothing_changes(alice_client):
    assert alice_client.get("/welcome/done").status_code == 405
    assert alice_client.get("/welcome/mark/2601.00001").status_code == 405
    assert alice_client.post("/welcome/papers").status_code == 405


def test_step_one_categories_grid_save_and_revisit(alice_client, alice):
    html = alice_client.get("/welcome").content.decode()
    assert "<legend>cs</legend>" in html and 'value="cs.CL"' in html
    assert 'aria-current="step"' in html and "Skip this step" in html
    response = alice_client.post("/welcome", {"categories": ["cs.CL", "cs.LG"]})
    assert response.status_code == 302 and response["Location"] == "/welcome/topics"
    assert onboarding.followed(alice, Follow.CATEGORY) == ["cs.CL", "cs.LG"]
    again = alice_client.get("/welcome").content.decode()
    assert re.search(r'value="cs\.CL" checked', again) and re.search(
        r'value="cs\.LG" checked', again
    )
    assert not re.search(r'value="cs\.CV" checked', again)


def test_step_one_refuses_cs_xx_and_keeps_the_ticks(alice_client, alice):
    response = alice_client.post("/welcome", {"categories": ["cs.CV", "cs.XX"]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "cs.XX is not an arXiv category (pick from the list, e.g. cs.LG)" in html
    assert re.search(r'value="cs\.CV" checked', html)
    assert not Follow.objects.filter(user=alice).exists()


def test_step_two_topics_save_revisit_and_bad_input(alice_client, alice):
    response = alice_client.post(
        "/welcome/topics", {"topics": "speculative decoding\nprotein folding"}
    )
    assert response.status_code == 302 and response["Location"] == "/welcome/papers"
    assert onboarding.followed(alice, Follow.SEARCH) == ["speculative decoding", "protein folding"]
    html = alice_client.get("/welcome/topics").content.decode()
    assert "speculative decoding\nprotein folding</textarea>" in html
    bad = alice_client.post("/welcome/topics", {"topics": "x\nfine topic"})
    assert bad.status_code == 400
    assert "a topic must be 2 to 100 characters, not &#x27;x&#x27;" in bad.content.decode()
    assert "x\nfine topic</textarea>" in bad.content.decode()  # what was typed stays
    assert onboarding.followed(alice, Follow.SEARCH) == ["speculative decoding", "protein folding"]


def test_step_three_suggests_searches_and_shows_marks(alice_client, alice, corpus):
    onboarding.save_topics(alice, ["protein folding"])
    onboarding.mark(alice, "hep-th/0101001", True)
    html = alice_client.get("/welcome/papers").content.decode()
    assert "matches your topic “protein folding”" in html
    assert 'id="welcome-count">1</span>' in html
    buttons = marked_buttons(html)
    assert buttons["2601.00002"] == "false" and buttons["hep-th/0101001"] == "true"
    assert "Marked earlier" not in html  # it is among the suggestions already
    found = alice_client.get("/welcome/papers", {"q": "speculative"}).content.decode()
    assert "Speculative decoding with draft models" in found and "<html" in found
    partial = alice_client.get(
        "/welcome/papers", {"q": "speculative"}, HTTP_HX_TARGET="welcome-found", **HTMX
    ).content.decode()
    assert "Speculative decoding with draft models" in partial and "<html" not in partial
    assert "Protein folding" not in partial
    nothing = alice_client.get(
        "/welcome/papers", {"q": "zzzqqq"}, HTTP_HX_TARGET="welcome-found", **HTMX
    ).content.decode()
    assert "No paper matches “zzzqqq”." in nothing


def test_mark_in_place_with_htmx_and_the_count(alice_client, alice, corpus):
    response = alice_client.post("/welcome/mark/hep-th/0101001", {"marked": "1"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and 'aria-pressed="true"' in html
    assert '<span id="welcome-count" hx-swap-oob="true">1</span>' in html
    assert Feedback.objects.get(user=alice, paper_id="hep-th/0101001").signal == 1
    undo = alice_client.post("/welcome/mark/hep-th/0101001", {"marked": "0"}, **HTMX)
    assert 'aria-pressed="false"' in undo.content.decode()
    assert 'hx-swap-oob="true">0</span>' in undo.content.decode()
    assert not Feedback.objects.filter(user=alice).exists()


def test_mark_without_javascript_goes_back(alice_client, alice, corpus):
    response = alice_client.post(
        "/welcome/mark/2601.00001", {"marked": "1", "next": "/welcome/papers?q=speculative"}
    )
    assert response.status_code == 302 and response["Location"] == "/welcome/papers?q=speculative"
    evil = alice_client.post(
        "/welcome/mark/2601.00001", {"marked": "0", "next": "https://evil.example/"}
    )
    assert evil["Location"] == "/welcome/papers"
    assert onboarding.marked_ids(alice) == []


def test_mark_bad_input(alice_client, alice, corpus):
    bad = alice_client.post("/welcome/mark/2601.00001", {"marked": "yes"})
    assert bad.status_code == 400 and b"marked must be 1 (mark) or 0 (unmark)" in bad.content
    unknown = alice_client.post("/welcome/mark/9999.99999", {"marked": "1"}, **HTMX)
    assert unknown.status_code == 400 and b"no paper '9999.99999'" in unknown.content
    plain = alice_client.post("/welcome/mark/9999.99999", {"marked": "1"}, follow=True)
    assert "Not marked: no paper" in plain.content.decode()
    assert not Feedback.objects.exists()


def test_done_and_skip_finish_onboarding(alice_client, alice):
    response = alice_client.post("/welcome/done")
    assert response.status_code == 302 and response["Location"] == "/"
    first = Preferences.objects.get(user=alice).onboarded_at
    assert first is not None
    skipped = alice_client.post("/welcome/done", {"skipped": "1"}, follow=True)
    assert "Skipped" in skipped.content.decode()
    assert Preferences.objects.get(user=alice).onboarded_at == first
    assert alice_client.get("/welcome").status_code == 200  # revisitable after


def _verified(username: str):
    user = make_user(username)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _log_in(client, username: str, **extra):
    return client.post("/accounts/login/", {"login": username, "password": "pw-123456", **extra})


def test_first_login_lands_on_welcome_then_not_any_more(client):
    _verified("erin")
    response = _log_in(client, "erin")
    assert response.status_code == 302 and response["Location"] == "/welcome"
    client.post("/welcome/done", {"skipped": "1"})
    client.post("/accounts/logout/")
    assert _log_in(client, "erin")["Location"] == "/"


def test_login_with_next_or_with_follows_is_not_redirected(client):
    _verified("fay")
    assert _log_in(client, "fay", next="/search?q=x")["Location"] == "/search?q=x"
    client.post("/accounts/logout/")
    gus = _verified("gus")
    onboarding.save_topics(gus, ["kv cache"])
    assert _log_in(Client(), "gus")["Location"] == "/"

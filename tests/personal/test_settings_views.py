"""/settings, the seen mode and "forget" POSTs, and a card's Dismiss / Undo (plain and htmx)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from paperfeed.personal import preferences, seen
from paperfeed.personal.models import Preferences, Seen
from tests.web.conftest import make_user, record, store, vote

DAY = "2025-03-18"


def ids_in(html: str) -> list[str]:
    return re.findall(r'<span class="id">arXiv:([^<]+)</span>', html)


@pytest.fixture
def day(db):
    return store(*(record(DAY, arxiv_id=f"2503.0000{i}") for i in range(1, 5)))


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_login_required_and_post_only(client, db):
    response = client.get("/settings/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post("/settings/seen", {"seen": "hide"}).status_code == 302
    assert not Preferences.objects.exists()
    response = client.post("/settings/seen/dismiss", {"paper": "2503.00001", "next": "/"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Seen.objects.exists()


def test_settings_page_shows_the_choices_and_links(alice_client, day, alice):
    seen.mark_opened(alice, "2503.00001")
    seen.dismiss(alice, "2503.00002")
    response = alice_client.get("/settings/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'action="/settings/seen"' in page and 'value="dim" selected' in page
    assert "you opened 1 and dismissed 1" in page
    assert 'action="/settings/seen/forget"' in page and 'href="/settings/mutes"' in page
    assert "Recently dismissed" in page and "Paper 2503.00002" in page
    assert page.count('name="csrfmiddlewaretoken"') >= 4
    assert 'href="/settings/"' in page  # the account menu's link


def test_seen_mode_is_saved_and_a_bad_one_refused(alice_client, alice, day):
    response = alice_client.post("/settings/seen", {"seen": "hide"})
    assert response.status_code == 302 and response["Location"] == "/settings/#seen"
    assert Preferences.objects.get(user=alice).seen == "hide"
    page = alice_client.get("/settings/").content.decode()
    assert "Papers you have seen: hide them (new to you only)." in page
    response = alice_client.post("/settings/seen", {"seen": "vanish"}, follow=True)
    assert "Not changed: seen must be one of show, dim, hide, not &#x27;vanish&#x27;." in (
        response.content.decode()
    )
    assert Preferences.objects.get(user=alice).seen == "hide"


def test_csrf_is_required(day, alice):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post("/settings/seen", {"seen": "hide"}).status_code == 403
    assert strict.post("/settings/seen/forget").status_code == 403
    assert strict.post("/settings/seen/dismiss", {"paper": "2503.00001"}).status_code == 403
    assert not Preferences.objects.exists() and not Seen.objects.exists()


def test_forget_clears_opened_and_dismissed(alice_client, alice, day):
    seen.mark_opened(alice, "2503.00001")
    seen.dismiss(alice, "2503.00002")
    vote(alice, "2503.00003")
    response = alice_client.post("/settings/seen/forget", follow=True)
    assert "Forgot 2 papers you had opened or dismissed" in response.content.decode()
    assert not Seen.objects.exists()
    assert seen.seen_ids(alice, ["2503.00001", "2503.00003"]) == {"2503.00003"}


def test_dismiss_without_js_comes_back_and_the_card_dims(alice_client, alice, day):
    response = alice_client.post(
        "/settings/seen/dismiss", {"paper": "2503.00002", "dismissed": "1", "next": f"/day/{DAY}"}
    )
    assert response.status_code == 302 and response["Location"] == f"/day/{DAY}"
    assert Seen.objects.get().how == "dismissed"
    html = alice_client.get(f"/day/{DAY}").content.decode()
    card = html[html.index('id="paper-250300002"') - 60 :][:4000]
    assert '<article class="card seen"' in card and ">dismissed</span>" in card
    assert "Undo" in card and 'name="dismissed" value="0"' in card
    response = alice_client.post(
        "/settings/seen/dismiss", {"paper": "2503.00002", "dismissed": "0", "next": f"/day/{DAY}"}
    )
    assert response.status_code == 302 and not Seen.objects.exists()


def test_next_must_be_this_site(alice_client, day):
    response = alice_client.post(
        "/settings/seen/dismiss", {"paper": "2503.00001", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/settings/"


def test_dismiss_refuses_bad_input_by_name(alice_client, day):
    response = alice_client.post(
        "/settings/seen/dismiss", {"paper": "2503.99999", "next": "/"}, follow=True
    )
    assert "Not changed: no paper &#x27;2503.99999&#x27; here." in response.content.decode()
    response = alice_client.post(
        "/settings/seen/dismiss", {"paper": "2503.00001", "dismissed": "2"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400 and "dismissed must be 1 or 0" in response.content.decode()
    assert not Seen.objects.exists()


def test_htmx_dismiss_swaps_the_card_in_place(alice_client, alice, day):
    htmx = {"HTTP_HX_REQUEST": "true"}
    form = {"paper": "2503.00001", "dismissed": "1", "next": f"/day/{DAY}"}
    dimmed = alice_client.post("/settings/seen/dismiss", form, **htmx).content.decode()
    assert '<article class="card seen" id="paper-250300001"' in dimmed
    assert "autofocus" in dimmed and 'name="dismissed" value="0"' in dimmed
    preferences.set_seen(alice, "hide")
    form["paper"] = "2503.00002"
    folded = alice_client.post("/settings/seen/dismiss", form, **htmx).content.decode()
    assert 'class="card card-dismissed" id="paper-250300002"' in folded
    assert "Dismissed: " in folded and "Undo" in folded
    undone = alice_client.post(
        "/settings/seen/dismiss", {**form, "dismissed": "0"}, **htmx
    ).content.decode()
    assert '<article class="card" id="paper-250300002"' in undone and "Dismiss" in undone
    assert list(Seen.objects.values_list("paper_id", flat=True)) == ["2503.00001"]


def test_anonymous_cards_have_no_dismiss_button(client, day):
    html = client.get(f"/day/{DAY}").content.decode()
    assert len(ids_in(html)) == 4 and "dismiss-form" not in html

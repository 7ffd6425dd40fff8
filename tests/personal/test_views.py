"""The /settings/mutes page and the paper page's mute buttons: POST + CSRF, back where one was."""

from __future__ import annotations

import pytest
from django.test import Client

from paperfeed.personal.models import Mute
from tests.web.conftest import make_user, record, store

DAY = "2025-03-18"


@pytest.fixture
def day(db):
    return store(
        record(DAY, arxiv_id="2503.00001", title="Diffusion for images", categories=("cs.CV",)),
        record(DAY, arxiv_id="2503.00002", authors=("Grace Hopper",), categories=("cs.CL",)),
    )


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_login_required(client, db):
    response = client.get("/settings/mutes")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post("/settings/mutes", {"kind": "keyword", "value": "gan"}).status_code == 302
    assert not Mute.objects.exists()


def test_add_list_and_remove(alice_client, day):
    page = alice_client.get("/settings/mutes").content.decode()
    assert "Nothing muted yet" in page and 'name="csrfmiddlewaretoken"' in page
    response = alice_client.post("/settings/mutes", {"kind": "keyword", "value": "Diffusion"})
    assert response.status_code == 302 and response["Location"] == "/settings/mutes"
    page = alice_client.get("/settings/mutes").content.decode()
    assert "Muted Keyword “diffusion”." in page and "<td>diffusion</td>" in page
    assert "2503.00001" not in alice_client.get(f"/day/{DAY}").content.decode()
    mute = Mute.objects.get()
    response = alice_client.post(f"/settings/mutes/{mute.pk}/remove")
    assert response.status_code == 302 and not Mute.objects.exists()
    assert "2503.00001" in alice_client.get(f"/day/{DAY}").content.decode()


def test_bad_value_shows_the_reason_and_keeps_the_input(alice_client, day):
    response = alice_client.post("/settings/mutes", {"kind": "author", "value": "Nobody"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "no author called &#x27;Nobody&#x27; here" in page and 'value="Nobody"' in page
    assert not Mute.objects.exists()


def test_remove_needs_post_and_ones_own(alice_client, day):
    bob = make_user("bob")
    theirs = Mute.objects.create(user=bob, kind="keyword", value="gan")
    assert alice_client.get(f"/settings/mutes/{theirs.pk}/remove").status_code == 405
    alice_client.post(f"/settings/mutes/{theirs.pk}/remove")
    assert Mute.objects.filter(pk=theirs.pk).exists()


def test_csrf_is_enforced(alice, day):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    response = browser.post("/settings/mutes", {"kind": "keyword", "value": "gan"})
    assert response.status_code == 403 and not Mute.objects.exists()


def test_paper_page_buttons_mute_and_come_back(alice_client, day):
    page = alice_client.get("/papers/2503.00002").content.decode()
    assert "Mute author Grace Hopper" in page and "Mute category cs.CL" in page
    assert page.count('name="csrfmiddlewaretoken"') >= 3
    response = alice_client.post(
        "/settings/mutes",
        {"kind": "author", "value": "Grace Hopper", "next": "/papers/2503.00002"},
    )
    assert response.status_code == 302 and response["Location"] == "/papers/2503.00002"
    assert Mute.objects.get().value == "Grace Hopper"
    # a foreign next is not followed
    response = alice_client.post(
        "/settings/mutes", {"kind": "category", "value": "cs.CL", "next": "https://evil.test/"}
    )
    assert response["Location"] == "/settings/mutes"


def test_anonymous_paper_page_has_no_mute_menu(client, day):
    assert "Mute author" not in client.get("/papers/2503.00002").content.decode()

"""Django messages (allauth's, submissions', tokens') are shown once, by base.html, in a
polite live region, escaped; the next page no longer shows them."""

from __future__ import annotations

import re

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse
from django.shortcuts import render

from paperfeed.accounts import tokens

from .conftest import make_user, record, store

pytestmark = pytest.mark.django_db


def region(html: str) -> str:
    """The messages live region of a page (exactly one per page)."""
    found = re.findall(
        r'<div class="messages" role="status" aria-live="polite">(.*?)</div>', html, re.S
    )
    assert len(found) == 1, f"expected one messages region, found {len(found)}"
    return found[0]


@pytest.fixture
def no_arxiv(settings):
    settings.PAPERFEED_ARXIV_API_URL = "http://127.0.0.1:9/never"


def test_submission_thanks_shown_once_then_gone(client, no_arxiv):
    store(record("2025-03-18", arxiv_id="2503.00007"))
    client.force_login(make_user("frank"))
    page = client.post("/submit", {"paper": "2503.00007"}, follow=True)
    html = page.content.decode()
    thanks = "Thanks! 2503.00007 is in today&#x27;s feed."
    assert html.count(thanks) == 1 and thanks in region(html)
    assert '<li class="message success">' in region(html)
    again = client.get("/submit").content.decode()
    assert thanks not in again and region(again).strip() == ""


def test_refusal_is_escaped_and_shown_once(client, no_arxiv):
    client.force_login(make_user("frank"))
    html = client.post("/submit", {"paper": "<script>x</script>"}).content.decode()
    shown = region(html)
    assert shown.count("not an arXiv id or link") == 1 and 'class="message error"' in shown
    assert "<script>x" not in html
    assert html.count("not an arXiv id or link") == 1


def test_allauth_signed_out_message_on_the_home_page(client):
    client.force_login(make_user("frank"))
    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0] == "/"
    html = response.content.decode()
    assert html.count("You have signed out.") == 1 and "You have signed out." in region(html)


def test_token_revoked_message_once(client):
    frank = make_user("frank")
    tokens.create_token(frank, "notebook")
    token_id = tokens.tokens_of(frank)[0].pk
    client.force_login(frank)
    html = client.post(f"/accounts/tokens/{token_id}/revoke", follow=True).content.decode()
    assert html.count("Token revoked: it no longer works.") == 1
    assert "Token revoked" in region(html)


def test_messages_of_any_view_extending_base(rf, client):
    """A view that only sets a message and renders a page extending base.html shows it."""
    request = rf.get("/")
    request.user = AnonymousUser()
    request.session = client.session
    request._messages = FallbackStorage(request)
    messages.warning(request, 'Careful: "<b>" & co')
    response: HttpResponse = render(request, "web/empty.html", {"title": "x"})
    shown = region(response.content.decode())
    assert '<li class="message warning">Careful: &quot;&lt;b&gt;&quot; &amp; co</li>' in shown

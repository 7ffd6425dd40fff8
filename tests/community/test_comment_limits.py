"""Comments are throttled per account and address, and paginated by thread (issue 14 item 7)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from paperfeed.accounts import tokens
from paperfeed.community import comments
from paperfeed.community.models import Comment
from tests.community.factories import logged_in, make_user

HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.django_db


def _threads(paper, user, n: int) -> list[Comment]:
    """n top-level comments, a minute apart, oldest first."""
    start = timezone.now() - dt.timedelta(days=1)
    made = []
    for i in range(n):
        c = comments.add_comment(user, paper.pk, f"thread {i}")
        Comment.objects.filter(pk=c.pk).update(created=start + dt.timedelta(minutes=i))
        made.append(Comment.objects.get(pk=c.pk))
    return made


@override_settings(PAPERFEED_LIMIT_COMMENT="3/m/user")
def test_a_user_posting_fast_is_refused_with_429_and_nothing_stored(paper, alice):
    client = logged_in(alice)
    codes = [
        client.post(f"/papers/{paper.pk}/comments", {"body": f"n{i}"}).status_code for i in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429] and Comment.objects.count() == 3
    refused = client.post(f"/papers/{paper.pk}/comments", {"body": "again"})
    assert b"Too many comments from your account" in refused.content
    assert refused["Retry-After"] == "60"
    htmx = client.post(f"/papers/{paper.pk}/comments", {"body": "htmx"}, **HTMX)
    assert htmx.status_code == 200 and b"Too many comments" in htmx.content  # swapped in place
    assert (
        logged_in(make_user("bob"))
        .post(f"/papers/{paper.pk}/comments", {"body": "mine"})
        .status_code
        == 302
    )  # another account is not affected


@override_settings(PAPERFEED_LIMIT_COMMENT="2/m/user")
def test_edits_count_too(paper, alice):
    client = logged_in(alice)
    comment = comments.add_comment(alice, paper.pk, "first")
    for i in range(2):
        client.post(f"/comments/{comment.pk}/edit", {"body": f"edit {i}"})
    assert client.post(f"/comments/{comment.pk}/edit", {"body": "x"}).status_code == 429
    assert Comment.objects.get().body == "edit 1"


@override_settings(PAPERFEED_LIMIT_COMMENT="2/m/user")
def test_the_api_answers_429_json(paper, alice):
    secret = tokens.create_token(alice, "bot")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    url = f"/api/v1/papers/{paper.pk}/comments"
    api = Client()
    codes = [
        api.post(url, {"body": f"b{i}"}, content_type="application/json", **headers).status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]
    last = api.post(url, {"body": "x"}, content_type="application/json", **headers)
    assert last.json()["detail"].startswith("Too many comments") and last["Retry-After"]


def test_threads_come_in_pages_with_their_replies(paper, alice):
    made = _threads(paper, alice, comments.THREADS_PER_PAGE + 3)
    comments.add_comment(alice, paper.pk, "a reply", parent_id=made[-1].pk)
    first = comments.for_paper(paper.pk)
    assert (first.page, first.pages, first.threads, first.total) == (1, 2, 28, 29)
    assert [c.body for c in first][:2] == ["thread 0", "thread 1"] and first.next == 2
    second = comments.for_paper(paper.pk, 2)
    assert [c.body for c in second] == ["thread 25", "thread 26", "thread 27"]
    assert [r.body for r in second.items[-1].visible_replies] == ["a reply"]
    assert second.previous == 1 and second.next is None
    assert list(comments.for_paper(paper.pk, 9)) == []
    assert comments.page_of(made[0]) == 1 and comments.page_of(made[-1]) == 2


def test_the_paper_page_shows_one_page_and_links_the_next(client, paper, alice):
    _threads(paper, alice, 60)
    page = client.get(f"/papers/{paper.pk}").content.decode()
    assert page.count("thread ") == 25 and "thread 24<" in page and "thread 25<" not in page
    assert "Page 1 of 3" in page and "?comments=2#comments" in page
    third = client.get(f"/papers/{paper.pk}?comments=3").content.decode()
    assert "thread 59<" in third and "thread 0<" not in third and "Earlier comments" in third
    fragment = client.get(f"/papers/{paper.pk}/comments?page=2", **HTMX).content.decode()
    assert "thread 25<" in fragment and "Page 2 of 3" in fragment
    assert client.get(f"/papers/{paper.pk}/comments?page=x").status_code == 400
    assert client.get(f"/papers/{paper.pk}?comments=x").status_code == 200  # page 1


def test_a_new_comment_lands_on_its_page(paper, alice):
    _threads(paper, alice, 30)
    response = logged_in(alice).post(f"/papers/{paper.pk}/comments", {"body": "latest"})
    new = Comment.objects.get(body="latest")
    assert response["Location"] == f"/papers/{paper.pk}?comments=2#comment-{new.pk}"


def test_the_api_pages_threads(client, paper, alice):
    _threads(paper, alice, 27)
    first = client.get(f"/api/v1/papers/{paper.pk}/comments").json()
    assert (first["total"], first["page"], first["pages"], len(first["items"])) == (27, 1, 2, 25)
    second = client.get(f"/api/v1/papers/{paper.pk}/comments?page=2").json()
    assert [c["body"] for c in second["items"]] == ["thread 25", "thread 26"]
    bad = client.get(f"/api/v1/papers/{paper.pk}/comments?page=0")
    assert bad.status_code == 400 and "page" in bad.json()["detail"]

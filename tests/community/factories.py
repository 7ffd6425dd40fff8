"""Small builders for community and accounts tests: papers, users, logged-in clients."""

from __future__ import annotations

import datetime as dt
import itertools

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client

from paperfeed.papers.models import Author, Authorship, Paper

_serial = itertools.count(1)
PASSWORD = "correct-horse-battery-staple-42"


def make_paper(
    arxiv_id: str | None = None,
    *,
    title: str = "A paper about $x^2$",
    day=None,
    authors: tuple[str, ...] = ("Ada Lovelace",),
    **fields,
) -> Paper:
    n = next(_serial)
    day = day or dt.date(2025, 1, 15)
    paper = Paper.objects.create(
        arxiv_id=arxiv_id or f"2501.{n:05d}",
        version=1,
        title=title,
        abstract="An abstract.",
        primary_category="cs.LG",
        categories="cs.LG stat.ML",
        published=day,
        listed=day,
        feed_day=day,
        source="jsonl",
        **fields,
    )
    for position, name in enumerate(authors):
        author, _ = Author.objects.get_or_create(name=name)
        Authorship.objects.create(paper=paper, author=author, position=position)
    return paper


def make_user(
    username: str | None = None, *, email: str | None = None, verified: bool = True, **fields
):
    username = username or f"user{next(_serial)}"
    email = email or f"{username}@example.org"
    user = get_user_model().objects.create_user(username, email, PASSWORD, **fields)
    if verified:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def logged_in(user, *, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return client


def admin_action(client, url: str, action: str, ids) -> None:
    """Run the admin ``action`` on the rows ``ids`` of the changelist at ``url``."""
    response = client.post(url, {"action": action, "_selected_action": [str(i) for i in ids]})
    assert response.status_code == 302, response.content[:500]

"""What the alert tests share: papers stored at a given moment, accounts with follows."""

from __future__ import annotations

import datetime as dt

from paperfeed.papers.models import Author, Paper
from paperfeed.personal.models import Follow
from tests.community.factories import make_user
from tests.web.conftest import record, store

NOW = dt.datetime(2026, 12, 7, 9, 35, tzinfo=dt.UTC)  # a Monday; instant bucket 09:20-09:30
BUCKET_END = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
DAY = dt.date(2026, 12, 7)


def stored(at: dt.datetime, *records) -> list[Paper]:
    """``records`` stored (``created_at``) at ``at``."""
    papers = store(*records)
    Paper.objects.filter(pk__in=[p.pk for p in papers]).update(created_at=at)
    return papers


def paper(at: dt.datetime, day: dt.date = DAY, **fields) -> Paper:
    [one] = stored(at, record(day, **fields))
    return one


def follow(user, kind: str, value: str, alert: str = Follow.INSTANT, *, made=None, label=""):
    """A follow of ``user`` made at ``made`` (default: a week before :data:`NOW`)."""
    made = made or NOW - dt.timedelta(days=7)
    row = Follow.objects.create(user=user, kind=kind, value=value, label=label, alert=alert)
    Follow.objects.filter(pk=row.pk).update(created=made)
    row.refresh_from_db()
    return row


def follow_author(user, name: str, alert: str = Follow.INSTANT, **kw) -> Follow:
    author = Author.objects.get(name=name)
    return follow(user, Follow.AUTHOR, str(author.pk), alert, label=name, **kw)


def reader(name: str = "ada", **fields):
    """An account with a verified address."""
    return make_user(name, **fields)

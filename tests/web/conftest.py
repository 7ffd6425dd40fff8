"""Small stores for the web tests: papers through the real upsert, votes/submissions/comments."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F

from paperfeed.community.models import Comment, Submission, Vote
from paperfeed.ingest.records import AuthorRecord, PaperRecord
from paperfeed.ingest.upsert import ingest
from paperfeed.ops import pagecache
from paperfeed.papers.models import Paper

_numbers = itertools.count(1)
# whitenoise warns once per app instance when STATIC_ROOT is missing (collectstatic never ran)
Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
XSS_TITLE = 'Attack <script>alert("t")</script> "><img src=x onerror=alert(1)>'
XSS_ABSTRACT = 'Body <script>alert("a")</script> and "><img src=x onerror=alert(2)> end.'


def record(
    day: dt.date | str,
    *,
    arxiv_id: str | None = None,
    title: str | None = None,
    abstract: str = "An abstract.",
    authors=("Ada Lovelace", "Alan Turing"),
    categories=("cs.CL",),
    **fields,
) -> PaperRecord:
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    if arxiv_id is None:
        arxiv_id = f"{day:%y%m}.{next(_numbers):05d}"
    return PaperRecord(
        arxiv_id=arxiv_id,
        title_raw=title or f"Paper {arxiv_id}",
        source="jsonl",
        abstract_raw=abstract,
        authors=[AuthorRecord(a) for a in authors],
        categories=list(categories),
        listed=day,
        published=day,
        **fields,
    )


def store(*records: PaperRecord) -> list[Paper]:
    summary = ingest(records)
    assert summary.rejected == 0, summary.rejects
    found = Paper.objects.in_bulk([r.arxiv_id for r in records])
    return [found[r.arxiv_id] for r in records]


def make_user(username: str, **extra):
    return get_user_model().objects.create_user(
        username, f"{username}@example.org", "pw-123456", **extra
    )


def vote(user, *paper_ids: str) -> None:
    """Votes written directly, count kept as votes.py keeps it (the community app owns that)."""
    for paper_id in paper_ids:
        Vote.objects.create(user=user, paper_id=paper_id)
        Paper.objects.filter(pk=paper_id).update(upvotes=F("upvotes") + 1)


def set_upvotes(paper_id: str, count: int) -> None:
    """Write the count directly (no vote rows), announcing it as every bulk write must."""
    Paper.objects.filter(pk=paper_id).update(upvotes=count)
    pagecache.changed("upvotes set by a test")


def submit(user, paper_id: str, when: dt.datetime | None = None) -> Submission:
    submission = Submission.objects.create(user=user, paper_id=paper_id)
    if when is not None:
        Submission.objects.filter(pk=submission.pk).update(created=when)
    return submission


def comment(user, paper_id: str, body: str = "Nice", *, parent=None, hidden=False) -> Comment:
    return Comment.objects.create(
        user=user,
        paper_id=paper_id,
        body=body,
        body_html=f"<p>{body}</p>",
        parent=parent,
        hidden=hidden,
    )


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")

"""Signals for the ranking tests, written through the signals store (its one writer), as the
fetch commands leave them."""

from __future__ import annotations

import datetime as dt

from paperfeed.signals import store
from paperfeed.signals.models import Repository

SNAPSHOT_DAY = dt.date(2025, 3, 18)


def signals(paper_id: str, **fields) -> None:
    """Signal fields a source sets (``hf_upvotes``, ``citations``...) on a stored paper."""
    store.save_signals({paper_id: fields})


def code(paper_id: str, repo: str, *stars: int) -> None:
    """Link ``repo`` (GitHub ``owner/name``) to the paper, with a daily star snapshot for each
    of ``stars`` (the last one on :data:`SNAPSHOT_DAY`, one day apart): one snapshot gives the
    paper stars, two or more a weekly gain too."""
    store.link_repositories({paper_id: [(Repository.GITHUB, repo)]}, "arxiv")
    repository = Repository.objects.get(key=store.repository_key(Repository.GITHUB, repo))
    for back, count in enumerate(reversed(stars)):
        store.record_stars(repository, count, SNAPSHOT_DAY - dt.timedelta(days=back), "github")
    store.refresh_code([paper_id])

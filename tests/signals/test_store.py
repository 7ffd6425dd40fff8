"""The signal store: idempotent writes, absent stays absent, star figures derived from history."""

from __future__ import annotations

import datetime as dt
import doctest

import pytest

from paperfeed.signals import store
from paperfeed.signals.models import PaperSignals, Repository, StarSnapshot
from tests.community.factories import make_paper

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 12)


def test_doctests():
    assert doctest.testmod(store).failed == 0


def test_save_signals_sets_only_named_fields_and_is_idempotent():
    make_paper("2606.00001")
    first = store.save_signals({"2606.00001": {"hf_upvotes": 25, "ai_summary": "A summary."}})
    assert first == {"new": 1, "changed": 0, "unchanged": 0, "unknown": 0}
    assert store.save_signals({"2606.00001": {"hf_upvotes": 25}})["unchanged"] == 1
    store.save_signals({"2606.00001": {"citations": 3}})
    row = PaperSignals.objects.get(pk="2606.00001")
    assert (row.hf_upvotes, row.ai_summary, row.citations) == (25, "A summary.", 3)
    assert row.influential_citations is None and row.stars is None  # absent, not 0


def test_save_signals_skips_unknown_papers_and_rejects_unknown_fields():
    assert store.save_signals({"2699.99999": {"hf_upvotes": 1}})["unknown"] == 1
    assert not PaperSignals.objects.exists()
    with pytest.raises(ValueError, match="not signal fields: stars"):
        store.save_signals({"2606.00001": {"stars": 1}})


def test_links_snapshots_and_weekly_gain():
    make_paper("2606.00002")
    counts = store.link_repositories({"2606.00002": [("github", "MiniMax-AI/MSA")]}, "hf")
    assert counts == {"new_links": 1, "new_repositories": 1}
    assert store.link_repositories({"2606.00002": [("github", "minimax-ai/msa")]}, "arxiv") == {
        "new_links": 0,
        "new_repositories": 0,
    }
    row = PaperSignals.objects.get(pk="2606.00002")
    assert row.has_code and row.stars is None and row.stars_gained_week is None
    repo = Repository.objects.get()
    assert store.reported_stars({("github", "MiniMax-AI/MSA"): 145}, DAY, "hf") == 1
    assert store.reported_stars({("github", "MiniMax-AI/MSA"): 145}, DAY, "hf") == 0
    store.update_repository(repo, DAY + dt.timedelta(days=1), stars=251, license="MIT")
    row.refresh_from_db()
    assert (row.stars, row.stars_gained_week) == (251, 106)
    # GitHub's own count of a day is not overwritten by what HF reported that day
    assert (
        store.reported_stars({("github", "MiniMax-AI/MSA"): 200}, DAY + dt.timedelta(1), "hf") == 0
    )
    assert StarSnapshot.objects.count() == 2


def test_a_gone_repository_is_not_code():
    make_paper("2606.00003")
    store.link_repositories({"2606.00003": [("github", "a/b")]}, "arxiv")
    store.update_repository(Repository.objects.get(), DAY, status=Repository.GONE)
    assert not PaperSignals.objects.get(pk="2606.00003").has_code

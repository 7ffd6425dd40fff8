"""signals.carried: what records carry is stored with them (absent stays absent, a paper twice in a
batch keeps the later entry's, unusable fields of a file are logged)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from paperfeed.ingest import hf, upsert
from paperfeed.signals.models import PaperSignals, StarSnapshot
from tests.ingest.documents import hf_entry

pytestmark = pytest.mark.django_db
LISTED = "2026-06-12T00:00:00.000Z"


def records(*entries: dict) -> list:
    return [hf.record_from_entry(e, f"f.json: entry {n}") for n, e in enumerate(entries, 1)]


def test_a_paper_twice_in_a_batch_keeps_the_later_entry():
    early, late = hf_entry("2606.00001", listed=LISTED), hf_entry("2606.00001", listed=LISTED)
    early["paper"].update(upvotes=3, githubRepo="https://github.com/a/b", githubStars=10)
    late["paper"].update(upvotes=5, githubRepo="https://github.com/a/b", githubStars=12)
    upsert.ingest(records(early, late))
    row = PaperSignals.objects.get(pk="2606.00001")
    assert (row.hf_upvotes, row.stars) == (5, 12)
    assert StarSnapshot.objects.get().stars == 12


def test_absent_keys_leave_stored_values_alone():
    full = hf_entry("2606.00002", listed=LISTED)
    full["paper"].update(ai_summary="A summary.", projectPage="https://p.example/")
    upsert.ingest(records(full))
    bare = hf_entry("2606.00002", listed=LISTED, upvotes=8)
    upsert.ingest(records(bare))
    row = PaperSignals.objects.get(pk="2606.00002")
    assert (row.hf_upvotes, row.ai_summary, row.project_page) == (
        8,
        "A summary.",
        "https://p.example/",
    )
    assert row.hf_day == dt.date(2026, 6, 12)


def test_unusable_fields_of_a_file_are_logged_and_the_rest_stored(caplog):
    entry = hf_entry("2606.00003", listed=LISTED)
    entry["paper"]["upvotes"] = -4
    with caplog.at_level(logging.WARNING, logger="paperfeed.signals.carried"):
        upsert.ingest(records(entry))
    assert caplog.messages == [
        "f.json: entry 1: 2606.00003: paper.upvotes -4 is not a count: left out"
    ]
    row = PaperSignals.objects.get(pk="2606.00003")
    assert (row.hf_upvotes, row.hf_comments) == (None, 3)

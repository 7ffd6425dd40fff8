"""The merge rule of the store, as pure functions (no database)."""

import datetime as dt

from paperfeed.ingest.records import AuthorRecord, PaperRecord
from paperfeed.ingest.upsert import merge


def record(**kw) -> PaperRecord:
    base = dict(
        arxiv_id="2501.01234",
        title_raw="A  title\n  wrapped",
        source="jsonl",
        abstract_raw="First line\nsecond line.\n  New paragraph.",
        authors=[AuthorRecord("Ada Lovelace", "Analytical Engines Ltd")],
        categories=["cs.LG", "stat.ML"],
    )
    base.update(kw)
    return PaperRecord(**base)


def test_new_record_normalises_text_and_keeps_raw():
    state = merge(None, record())
    assert state["title"] == "A title wrapped"
    assert state["title_raw"] == "A  title\n  wrapped"
    assert state["abstract"] == "First line second line.\n\nNew paragraph."
    assert state["primary_category"] == "cs.LG"
    assert state["categories"] == "cs.LG stat.ML"
    assert state["authors"] == (("Ada Lovelace", "Analytical Engines Ltd"),)


def test_same_record_twice_changes_nothing():
    state = merge(None, record(version=2))
    assert merge(state, record(version=2)) == state


def test_newer_version_overrides_older_only_fills_gaps():
    v2 = merge(None, record(version=2, title_raw="Title v2", doi=""))
    older = merge(v2, record(version=1, title_raw="Title v1", doi="10.1/abc"))
    assert older["title"] == "Title v2"  # the stored newer version wins
    assert older["doi"] == "10.1/abc"  # but an empty field is filled
    assert older["version"] == 2
    newer = merge(v2, record(version=3, title_raw="Title v3"))
    assert newer["title"] == "Title v3" and newer["version"] == 3


def test_without_versions_the_updated_date_decides():
    late = merge(None, record(title_raw="Late", updated=dt.date(2025, 5, 1)))
    early = merge(late, record(title_raw="Early", updated=dt.date(2025, 1, 1)))
    assert early["title"] == "Late"
    assert early["updated"] == dt.date(2025, 5, 1)


def test_empty_fields_never_erase_stored_ones():
    full = merge(None, record(comment="12 pages", journal_ref="JMLR 1", version=1))
    sparse = merge(full, record(comment="", journal_ref="", authors=[], categories=[], version=1))
    for key in ("comment", "journal_ref", "authors", "categories", "primary_category"):
        assert sparse[key] == full[key]


def test_dates_keep_earliest_listing_and_first_version_latest_update():
    a = merge(None, record(listed=dt.date(2025, 3, 18), published=dt.date(2025, 3, 14)))
    b = merge(
        a,
        record(
            listed=dt.date(2025, 3, 20), published=dt.date(2025, 3, 10), updated=dt.date(2025, 4, 1)
        ),
    )
    assert b["listed"] == dt.date(2025, 3, 18)
    assert b["published"] == dt.date(2025, 3, 10)
    assert b["updated"] == dt.date(2025, 4, 1)


def test_deletion_marks_a_stored_paper_and_ignores_an_unknown_one():
    stored = merge(None, record())
    gone = PaperRecord(arxiv_id="2501.01234", title_raw="", source="oai-pmh", deleted=True)
    assert merge(stored, gone)["deleted"] is True
    assert merge(stored, gone)["title"] == stored["title"]
    assert merge(None, gone) is None


def test_source_follows_the_record_that_changed_something():
    stored = merge(None, record(source="jsonl"))
    assert merge(stored, record(source="kaggle"))["source"] == "jsonl"  # nothing changed
    assert merge(stored, record(source="kaggle", doi="10.1/x"))["source"] == "kaggle"


def test_feed_day_follows_listing_unless_a_submission_moved_it():
    a = merge(None, record(published=dt.date(2025, 3, 14)))
    assert a["feed_day"] == dt.date(2025, 3, 14)
    b = merge(a, record(listed=dt.date(2025, 3, 18)))
    assert b["feed_day"] == dt.date(2025, 3, 18)
    submitted = {**b, "feed_day": dt.date(2025, 6, 1)}
    assert merge(submitted, record(listed=dt.date(2025, 3, 17)))["feed_day"] == dt.date(2025, 6, 1)

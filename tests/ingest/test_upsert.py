"""The store writer on a real database (SQLite, or PostgreSQL with PAPERFEED_TEST_DATABASE_URL)."""

import datetime as dt

import pytest

from paperfeed.ingest.records import AuthorRecord, PaperRecord, Rejected, SourceError
from paperfeed.ingest.upsert import ingest
from paperfeed.papers.models import Author, Authorship, Paper

pytestmark = pytest.mark.django_db


def rec(i: int, **kw) -> PaperRecord:
    base = dict(
        arxiv_id=f"2501.{i:05d}",
        title_raw=f"Paper {i}",
        source="jsonl",
        abstract_raw=f"Abstract {i}",
        categories=["cs.CL"],
        authors=[AuthorRecord(f"Author {i}"), AuthorRecord("Shared Author", "Lab")],
        listed=dt.date(2025, 1, 2),
    )
    base.update(kw)
    return PaperRecord(**base)


def test_counts_new_updated_unchanged_rejected():
    first = ingest([rec(1), rec(2), Rejected("f:3", "record has no title")], batch_size=1)
    assert (first.new, first.updated, first.unchanged, first.rejected) == (2, 0, 0, 1)
    again = ingest([rec(1), rec(2)])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    changed = ingest([rec(1, title_raw="Paper one, revised", version=2)])
    assert (changed.new, changed.updated, changed.unchanged) == (0, 1, 0)
    assert Paper.objects.get(pk="2501.00001").title == "Paper one, revised"


def test_authors_are_shared_rows_in_order():
    ingest([rec(1), rec(2)])
    assert Author.objects.filter(name="Shared Author").count() == 1
    paper = Paper.objects.get(pk="2501.00002")
    assert [a.name for a in paper.ordered_authors()] == ["Author 2", "Shared Author"]
    assert Authorship.objects.get(paper=paper, position=1).affiliation == "Lab"


def test_author_list_change_relinks_in_the_new_order():
    ingest([rec(1)])
    ingest([rec(1, version=2, authors=[AuthorRecord("New First"), AuthorRecord("Author 1")])])
    paper = Paper.objects.get(pk="2501.00001")
    assert [a.name for a in paper.ordered_authors()] == ["New First", "Author 1"]


def test_duplicates_in_one_batch_merge_to_the_newest():
    summary = ingest([rec(1, version=3, title_raw="v3"), rec(1, version=1, title_raw="v1")])
    assert summary.new == 1
    paper = Paper.objects.get(pk="2501.00001")
    assert (paper.title, paper.version) == ("v3", 3)


def test_a_source_breaking_mid_batch_keeps_earlier_batches_only():
    def items():
        yield from (rec(i) for i in range(1, 6))
        raise SourceError("broken.xml: XML cut short at line 40")

    with pytest.raises(SourceError, match="line 40"):
        ingest(items(), batch_size=2)
    # batches [1,2] and [3,4] were committed; the batch holding 5 was not
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == [
        "2501.00001",
        "2501.00002",
        "2501.00003",
        "2501.00004",
    ]
    assert not Authorship.objects.filter(paper_id="2501.00005").exists()


def test_deleted_record_hides_the_paper_without_losing_it():
    ingest([rec(1)])
    summary = ingest(
        [PaperRecord(arxiv_id="2501.00001", title_raw="", source="oai-pmh", deleted=True)]
    )
    assert summary.deleted == 1
    paper = Paper.objects.get(pk="2501.00001")
    assert paper.deleted and paper.title == "Paper 1"
    assert not Paper.objects.visible().exists()


def test_category_filter_matches_primary_and_cross_lists_exactly():
    ingest(
        [
            rec(1, categories=["cs.CL", "cs.LG"]),
            rec(2, categories=["cs.LGX"]),
            rec(3, categories=["stat.ML", "cs.LG", "cs.AI"]),
            rec(4, categories=["math.OC"]),
        ]
    )
    ids = lambda c: sorted(Paper.objects.in_category(c).values_list("arxiv_id", flat=True))  # noqa: E731
    assert ids("cs.LG") == ["2501.00001", "2501.00003"]
    assert ids("cs") == ["2501.00001", "2501.00002", "2501.00003"]
    assert ids("math") == ["2501.00004"]

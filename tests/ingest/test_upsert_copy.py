"""The store writer's bulk paths: COPY on PostgreSQL (rows through a temporary table, then one
INSERT ... SELECT or UPDATE ... FROM per table and batch), multi-row VALUES on SQLite; the text
that reaches the tables is the text of the records on both."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperfeed.ingest.records import AuthorRecord, PaperRecord
from paperfeed.ingest.upsert import ingest
from paperfeed.papers.models import Author, Authorship, Paper

pytestmark = pytest.mark.django_db

AUTHORS_PER_PAPER = 6


def rec(i: int, **kw) -> PaperRecord:
    base = dict(
        arxiv_id=f"2501.{i:05d}",
        title_raw=f"Paper {i}",
        source="jsonl",
        abstract_raw=f"Abstract {i}",
        categories=["cs.CL"],
        authors=[AuthorRecord(f"Author {i}-{k}", "Lab") for k in range(AUTHORS_PER_PAPER)],
        listed=dt.date(2025, 1, 2),
    )
    base.update(kw)
    return PaperRecord(**base)


def _writes(queries, model) -> list[str]:
    table = model._meta.db_table
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT INTO", "UPDATE"))
        and f'"{table}"' in q["sql"].split("(")[0].split(" SET ")[0]
    ]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="COPY is PostgreSQL's bulk path")
def test_postgresql_writes_each_table_once_per_batch_whatever_its_size():
    """2,000 papers with 6 authors: 12,000 author links and 12,000 authors. Bound parameters
    (at most 10,000 a statement) took 4 INSERTs of papers, 2 of authors and 5 of author links;
    COPY takes one statement per table."""
    papers = [rec(i) for i in range(2000)]
    with CaptureQueriesContext(connection) as captured:
        summary = ingest(papers, batch_size=2000)
    assert summary.new == 2000
    assert len(_writes(captured, Paper)) == 1
    assert len(_writes(captured, Author)) == 1
    assert len(_writes(captured, Authorship)) == 1
    assert Authorship.objects.count() == 2000 * AUTHORS_PER_PAPER
    assert Author.objects.count() == 2000 * AUTHORS_PER_PAPER

    changed = [rec(i, title_raw=f"Paper {i}, revised", version=2) for i in range(1000)]
    with CaptureQueriesContext(connection) as captured:
        summary = ingest(changed, batch_size=1000)
    assert (summary.updated, summary.new) == (1000, 0)
    assert len(_writes(captured, Paper)) == 1  # one UPDATE ... FROM the copied rows
    assert Paper.objects.filter(title__endswith=", revised").count() == 1000
    assert Paper.objects.get(pk="2501.00999").version == 2


def test_authors_another_process_stored_meanwhile_are_not_inserted_twice():
    Author.objects.create(name="Author 7-3")  # as if a concurrent import had just stored it
    ingest([rec(7)])
    assert Author.objects.filter(name="Author 7-3").count() == 1
    assert list(
        Authorship.objects.filter(paper_id="2501.00007")
        .order_by("position")
        .values_list("author__name", flat=True)
    ) == [f"Author 7-{k}" for k in range(AUTHORS_PER_PAPER)]


# every character a record keeps (records strip C0 controls but tab/newline, DEL, surrogates):
# COPY's text format escapes backslashes, tabs, newlines and the "\N" that means NULL.
TEXT = (
    st.lists(
        st.text(
            st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\x7f"), max_size=12
        )
        | st.sampled_from(["\\", "\\N", "\t", "\n", "\\t", "'", '"', ",", "|", "é", "𝔼"]),
        min_size=1,
        max_size=6,
    )
    .map("".join)
    .filter(lambda s: s.strip())
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=TEXT, abstract=TEXT, author=TEXT, comment=TEXT)
def test_text_is_stored_as_the_record_has_it(title, abstract, author, comment):
    record = rec(
        1,
        title_raw=title,
        abstract_raw=abstract,
        comment=comment,
        authors=[AuthorRecord(author, "\\N")],
    )
    Paper.objects.filter(pk=record.arxiv_id).delete()
    ingest([record])
    stored = Paper.objects.get(pk=record.arxiv_id)
    assert (stored.title, stored.title_raw) == (record.title, record.title_raw)
    assert (stored.abstract, stored.abstract_raw, stored.comment) == (
        record.abstract,
        record.abstract_raw,
        record.comment,
    )
    link = Authorship.objects.select_related("author").get(paper=stored)
    assert (link.author.name, link.affiliation) == (record.authors[0].name, "\\N")

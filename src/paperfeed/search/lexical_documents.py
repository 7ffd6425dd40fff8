"""The lexical index's documents: its schema, a paper as a document, ids back from hits.

Fields: ``id`` (raw, stored), ``title`` and ``abstract`` (the text analyzer, stored),
``authors`` (the name analyzer, stored), ``categories`` (stored as given) and ``cat`` (lower
case, each category and its archive, for filters), ``day`` (``YYYYMMDD``) and ``upvotes``
(fast, for sorting and date ranges), ``key`` (the id as a number, fast: a hit's id without
reading its stored document).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import tantivy

from paperfeed.papers.ids import id_from_number, id_number
from paperfeed.search.analyzers import NAME_ANALYZER, TEXT_ANALYZER
from paperfeed.search.query import normalise_category


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name=TEXT_ANALYZER)
    builder.add_text_field("abstract", stored=True, tokenizer_name=TEXT_ANALYZER)
    builder.add_text_field("authors", stored=True, tokenizer_name=NAME_ANALYZER)
    builder.add_text_field("categories", stored=True, tokenizer_name="raw")
    builder.add_text_field("cat", tokenizer_name="raw")  # lowercase categories and archives
    builder.add_integer_field("day", stored=True, indexed=True, fast=True)
    builder.add_integer_field("upvotes", stored=True, indexed=True, fast=True)
    builder.add_unsigned_field("key", fast=True)  # the id as a number: papers.ids.id_number
    return builder.build()


def day_number(day: dt.date | str | None) -> int:
    """``YYYYMMDD`` as an int (0 for no date): the ``day`` field, sortable and range-filterable."""
    if day is None or day == "":
        return 0
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return day.year * 10000 + day.month * 100 + day.day


def _category_terms(categories: Iterable[str]) -> list[str]:
    """``["cs.CL", "stat.ML"]`` -> ``["cs.cl", "cs", "stat.ml", "stat"]`` for the ``cat`` field."""
    terms: dict[str, None] = {}
    for category in categories:
        value = normalise_category(category)
        if value:
            terms[value] = None
            terms[value.split(".")[0]] = None
    return list(terms)


def make_document(paper: dict) -> tantivy.Document:
    """A tantivy document from ``{id, title, abstract, authors, categories, day, upvotes}``."""
    paper_id = paper.get("id")
    if not paper_id or not isinstance(paper_id, str):
        raise ValueError(f"document without a text id: {str(paper)[:120]}")
    doc = tantivy.Document()
    doc.add_text("id", paper_id)
    if (number := id_number(paper_id)) is not None:
        doc.add_unsigned("key", number)
    doc.add_text("title", paper.get("title") or "")
    doc.add_text("abstract", paper.get("abstract") or "")
    for name in paper.get("authors") or ():
        doc.add_text("authors", name)
    categories = list(paper.get("categories") or ())
    for category in categories:
        doc.add_text("categories", category)
    for term in _category_terms(categories):
        doc.add_text("cat", term)
    doc.add_integer("day", day_number(paper.get("day")))
    doc.add_integer("upvotes", int(paper.get("upvotes") or 0))
    return doc


def paper_ids(searcher: tantivy.Searcher, addresses: list) -> list[str]:
    """The arXiv ids of the documents at ``addresses``: from the ``key`` fast field (no stored
    document read: ~12 µs each, 200 a hybrid search), else from the stored document (an id
    with no number, or an index built before the field: ``paperfeed index --rebuild`` adds it)."""
    try:
        numbers = searcher.fast_field_values("key", addresses)
    except ValueError:  # an index without the field
        numbers = [None] * len(addresses)
    return [
        (id_from_number(n) if n else None) or searcher.doc(a).get_first("id")
        for n, a in zip(numbers, addresses, strict=True)
    ]

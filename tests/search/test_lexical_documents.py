"""The lexical index's documents: a hit's id from the ``key`` fast field, the stored document
only where there is no number (search/lexical_documents.py)."""

from __future__ import annotations

import pytest
import tantivy

from paperfeed.papers.ids import id_number
from paperfeed.search import lexical, lexical_documents
from paperfeed.search.analyzers import NAME_ANALYZER, TEXT_ANALYZER
from paperfeed.search.lexical import LexicalIndex
from paperfeed.search.lexical_documents import paper_ids
from paperfeed.search.query import parse

PAPERS = [
    {"id": "2503.00001", "title": "KV cache compression", "abstract": "We compress the cache."},
    {"id": "cs/9809007", "title": "Text compression", "abstract": "Compression of text."},
    {"id": "math.GT/0309136", "title": "Knots", "abstract": "Compression bodies of knots."},
    {"id": "0704.0001", "title": "Old compression", "abstract": "A compression study."},
]


def build(path, papers=PAPERS) -> LexicalIndex:
    built = LexicalIndex.create(path)
    built.add_documents(papers)
    built.commit()
    built.close()
    return LexicalIndex.open(path)


def stored_ids(searcher, addresses) -> list[str]:
    return [searcher.doc(a).get_first("id") for a in addresses]


def test_ids_come_from_the_fast_field_and_equal_the_stored_ones(tmp_path):
    index = build(tmp_path / "idx")
    searcher = index._index.searcher()
    hits = searcher.search(tantivy.Query.all_query(), 10).hits
    addresses = [a for _, a in hits]
    numbers = searcher.fast_field_values("key", addresses)
    assert sorted(numbers) == sorted(id_number(p["id"]) for p in PAPERS)  # every id has one
    assert paper_ids(searcher, addresses) == stored_ids(searcher, addresses)
    found, total = index.search("compression", limit=10, explained=False)
    assert total == 4 and {h.id for h in found} == {p["id"] for p in PAPERS}
    assert index.scores_of(parse("compression"), ["cs/9809007", "0704.0001"]).keys() == {
        "cs/9809007",
        "0704.0001",
    }


class Stub:
    """A searcher whose fast field answers ``numbers`` (or raises) and whose documents count."""

    def __init__(self, numbers):
        self.numbers, self.read = numbers, []

    def fast_field_values(self, field, addresses):
        if isinstance(self.numbers, Exception):
            raise self.numbers
        return self.numbers

    def doc(self, address):
        self.read.append(address)
        document = tantivy.Document()
        document.add_text("id", f"stored-{address}")
        return document


def test_an_id_without_a_number_is_read_from_its_document():
    stub = Stub([id_number("2503.00001"), None])
    assert paper_ids(stub, [0, 1]) == ["2503.00001", "stored-1"] and stub.read == [1]
    old = Stub(ValueError("Unknown field: 'key'"))  # an index built before the field
    assert paper_ids(old, [0, 1]) == ["stored-0", "stored-1"] and old.read == [0, 1]


def test_an_index_built_before_the_key_field_still_answers(tmp_path, monkeypatch):
    def without_key() -> tantivy.Schema:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", stored=True, tokenizer_name=TEXT_ANALYZER)
        builder.add_text_field("abstract", stored=True, tokenizer_name=TEXT_ANALYZER)
        builder.add_text_field("authors", stored=True, tokenizer_name=NAME_ANALYZER)
        builder.add_text_field("categories", stored=True, tokenizer_name="raw")
        builder.add_text_field("cat", tokenizer_name="raw")
        builder.add_integer_field("day", stored=True, indexed=True, fast=True)
        builder.add_integer_field("upvotes", stored=True, indexed=True, fast=True)
        return builder.build()

    monkeypatch.setattr(lexical, "build_schema", without_key)
    old = build(tmp_path / "old")
    monkeypatch.undo()
    searcher = old._index.searcher()
    hits = searcher.search(tantivy.Query.all_query(), 10).hits
    with pytest.raises(ValueError, match="key"):  # the field the old index lacks
        searcher.fast_field_values("key", [a for _, a in hits])
    found, _ = old.search("compression", limit=10, explained=False)
    assert {h.id for h in found} == {p["id"] for p in PAPERS}
    assert lexical_documents.paper_ids(searcher, [a for _, a in hits]) == stored_ids(
        searcher, [a for _, a in hits]
    )

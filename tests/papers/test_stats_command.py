"""paperfeed stats: counts by primary category and month, readable and as JSON."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from paperfeed.ingest.jsonl import parse
from paperfeed.ingest.upsert import ingest

pytestmark = pytest.mark.django_db

PAPERS = [
    {
        "id": "2501.00001",
        "title": "A",
        "abstract": "x",
        "authors": ["Ada Lovelace"],
        "categories": ["cs.LG", "stat.ML"],
        "listed": "2025-01-03",
    },
    {
        "id": "2501.00002",
        "title": "B",
        "abstract": "y",
        "authors": ["Ada Lovelace"],
        "categories": ["cs.LG"],
        "listed": "2025-01-04",
    },
    {
        "id": "2502.00003",
        "title": "C",
        "abstract": "z",
        "authors": ["Grace Hopper"],
        "categories": ["cs.CL"],
        "listed": "2025-02-05",
    },
]


def _stats(*args: str) -> str:
    out = io.StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def stored():
    lines = "".join(json.dumps(p) + "\n" for p in PAPERS)
    summary = ingest(parse(io.StringIO(lines), "papers.jsonl"))
    assert summary.new == 3


def test_json_counts_by_primary_category_and_month(stored):
    stats = json.loads(_stats("--json"))
    assert stats["papers"] == 3 and stats["authors"] == 2 and stats["deleted"] == 0
    assert stats["categories"] == {"cs.LG": 2, "cs.CL": 1}
    assert stats["months"] == {"2025-01": 2, "2025-02": 1}


def test_readable_output_and_top(stored):
    text = _stats("--top", "1")
    assert text.startswith("papers: 3  authors: 2  deleted: 0")
    assert "cs.LG" in text and "cs.CL" not in text  # only the top category
    assert "2025-02" in text


def test_an_empty_store_counts_zero():
    assert json.loads(_stats("--json"))["papers"] == 0

"""Planner statistics: update_statistics() on both databases, and after `paperfeed ingest`."""

import io
import json
import sqlite3

import pytest
from django.db import connection

from paperfeed.ingest.jsonl import parse as parse_jsonl
from paperfeed.ingest.upsert import ingest
from paperfeed.papers.maintenance import update_statistics
from tests.conftest import run_cli


def _papers(n: int) -> bytes:
    rows = [
        {"id": f"2503.{i:05d}", "title": f"Paper {i}", "abstract": "A.", "authors": [f"A {i}"]}
        for i in range(1, n + 1)
    ]
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def _planner_rows(table: str) -> float | None:
    """What the planner believes ``table`` holds: SQLite's sqlite_stat1, PostgreSQL's pg_class."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return None
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
            row = cursor.fetchone()
            return float(row[0].split()[0]) if row else None
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return float(cursor.fetchone()[0])


@pytest.mark.django_db
def test_update_statistics_teaches_the_planner_the_row_counts():
    ingest(parse_jsonl(io.BytesIO(_papers(30)), "t.jsonl"))
    result = update_statistics()
    assert result["vendor"] == connection.vendor
    assert "ANALYZE" in result["statements"] and result["seconds"] >= 0
    assert _planner_rows("papers_paper") == 30
    assert _planner_rows("papers_authorship") == 30


def test_ingest_leaves_statistics_in_the_sqlite_file(tmp_path):
    home = tmp_path / "home"
    assert run_cli("init", home=home).returncode == 0
    src = tmp_path / "papers.jsonl"
    src.write_bytes(_papers(12))
    assert run_cli("ingest", str(src), "--no-index", home=home).returncode == 0
    con = sqlite3.connect(home / "paperfeed.sqlite3")
    try:
        stats = dict(con.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'papers_paper'"))
    finally:
        con.close()
    assert stats["sqlite_autoindex_papers_paper_1"] == "12 1"


def test_postgresql_vacuums_the_papers_only_outside_a_transaction():
    from paperfeed.papers.maintenance import _statements

    assert _statements("postgresql")[0] == "VACUUM (ANALYZE) papers_paper"
    assert _statements("postgresql", in_transaction=True) == ["ANALYZE"]


@pytest.mark.django_db(transaction=True)
def test_update_statistics_runs_outside_a_transaction_on_both_databases():
    ingest(parse_jsonl(io.BytesIO(_papers(5)), "t.jsonl"))
    result = update_statistics()  # on PostgreSQL this VACUUMs: it must not be refused
    assert _planner_rows("papers_paper") == 5
    if connection.vendor == "postgresql":
        assert result["statements"][0].startswith("VACUUM")

"""Papers and a published lexical index for the ops tests."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from contextlib import contextmanager
from pathlib import Path
from unittest import mock
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connections
from django.db.utils import OperationalError

from paperfeed.ingest.records import AuthorRecord, PaperRecord
from paperfeed.ingest.upsert import ingest

_numbers = itertools.count(1)
Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns otherwise
DAY = dt.date(2026, 11, 20)


def paper_record(title: str | None = None, *, arxiv_id: str | None = None) -> PaperRecord:
    arxiv_id = arxiv_id or f"2611.{next(_numbers):05d}"
    return PaperRecord(
        arxiv_id=arxiv_id,
        title_raw=title or f"Paper {arxiv_id} on sparse attention",
        source="jsonl",
        abstract_raw="We study sparse attention for long documents.",
        authors=[AuthorRecord("Ada Lovelace")],
        categories=["cs.CL"],
        listed=DAY,
        published=DAY,
    )


def store_papers(count: int) -> list[str]:
    records = [paper_record() for _ in range(count)]
    summary = ingest(records)
    assert summary.rejected == 0, summary.rejects
    return [r.arxiv_id for r in records]


@pytest.fixture
def indexed(data_home):
    """Three papers in the database and a published lexical index over them."""
    from paperfeed.search.sync import rebuild_indexes

    ids = store_papers(3)
    rebuild_indexes(progress=False)
    return ids


@contextmanager
def database_down(message: str = "could not connect to server: Connection refused"):
    """Every new cursor of the default connection raises OperationalError, as when the
    database server is unreachable."""
    with mock.patch.object(connections["default"], "cursor", side_effect=OperationalError(message)):
        yield


@contextmanager
def scratch_postgres_database(label: str):
    """Settings of a new, empty PostgreSQL database next to the suite's (``<name>_<label>_<pid>``),
    dropped afterwards: restores and migrations under test never touch the suite's database."""
    from paperfeed.ops import backup as ops

    db = dict(connections["default"].settings_dict)
    scratch = f"{db['NAME']}_{label}_{os.getpid()}"

    def admin(statement: str) -> None:
        with ops.pg_connect(db, "postgres") as con:
            con.autocommit = True
            con.execute(statement)

    admin(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{scratch}"')
    try:
        yield {**db, "NAME": scratch}
    finally:
        admin(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def database_url(db: dict) -> str:
    """The ``DATABASE_URL`` of PostgreSQL settings ``db``, for a ``paperfeed`` subprocess."""
    user = quote(db.get("USER") or "", safe="")
    password = f":{quote(str(db['PASSWORD']), safe='')}" if db.get("PASSWORD") else ""
    where = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgres://{user}{password}@{where}/{db['NAME']}"


@pytest.fixture
def site(data_home, settings):
    """The API tests' papers stored and indexed (no vectors: hybrid search answers lexically),
    for the tests that walk the site with bad input."""
    from paperfeed.search.sync import rebuild_indexes
    from tests.api.conftest import PAPERS, store

    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    store(*PAPERS)
    rebuild_indexes(progress=False)

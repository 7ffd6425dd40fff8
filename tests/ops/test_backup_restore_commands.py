from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading

import pytest
from django.db import connection

from paperfeed.ingest.records import AuthorRecord, make_record
from paperfeed.ingest.upsert import ingest
from paperfeed.ops import backup as ops
from paperfeed.papers.models import Paper
from tests.conftest import run_cli
from tests.ops.conftest import scratch_postgres_database

PAPERS_JSONL = b"".join(
    json.dumps(
        {
            "id": f"2503.1173{i}",
            "title": f"Paper {i} on graphs",
            "abstract": f"We study graph {i}.",
            "authors": ["Ann Smith", f"Author {i}"],
            "categories": ["cs.LG"],
            "listed": "2025-03-18",
        }
    ).encode()
    + b"\n"
    for i in range(3)
)


def _ingest(n: int = 3) -> None:
    records = [
        make_record(
            raw_id=f"2501.0000{i}",
            title=f"Backup test paper {i}",
            source="test",
            location=f"test:{i}",
            abstract_raw=f"Abstract {i}.",
            authors=[AuthorRecord("Ann Smith"), AuthorRecord(f"Coauthor {i}")],
            categories=["cs.LG", "stat.ML"],
            listed=dt.date(2025, 1, 2),
        )
        for i in range(n)
    ]
    ingest(records)


@pytest.fixture
def target():
    """Where a restore goes: SQLite, the configured (test) database; PostgreSQL, a scratch
    database made for this test and dropped after it (the suite's database is never touched)."""
    if ops.is_sqlite():
        yield None
        return
    with scratch_postgres_database("restore") as db:
        yield db


def _counts(db: dict | None) -> dict[str, int]:
    if db is None:
        with connection.cursor() as cur:
            return ops.count_rows(cur, connection.introspection.table_names())
    with ops.pg_connect(db) as con:
        cur = con.cursor()
        return ops.count_rows(cur, ops._pg_tables(cur))


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_round_trip(tmp_path, target):
    _ingest(3)
    result = ops.backup(tmp_path / "bk")
    assert result.path.exists() and result.manifest_path.exists()
    assert result.path.name.startswith("paperfeed-")
    manifest = json.loads(result.manifest_path.read_text())
    assert manifest["counts"]["papers_paper"] == 3
    assert manifest["counts"]["papers_author"] == 4
    assert "papers.0001_initial" in manifest["migrations"]
    assert manifest["paperfeed_version"]
    if target is None:
        Paper.objects.filter(arxiv_id="2501.00001").delete()
        _ingest(5)  # the database now differs from the backup
        out = ops.restore(result.manifest_path, yes=True)
        assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == [
            "2501.00000",
            "2501.00001",
            "2501.00002",
        ]
        assert out["safety_copy"] and os.path.exists(out["safety_copy"])
        saved = sqlite3.connect(out["safety_copy"])
        assert saved.execute("SELECT COUNT(*) FROM papers_paper").fetchone()[0] == 5
        saved.close()
    else:
        ops.restore(result.path, db=target)
        assert _counts(target) == manifest["counts"]
        with ops.pg_connect(target) as con:
            titles = [r[0] for r in con.execute("SELECT title FROM papers_paper ORDER BY 1")]
        assert titles == [f"Backup test paper {i}" for i in range(3)]


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_non_empty_database_without_yes(tmp_path, target):
    _ingest(2)
    result = ops.backup(tmp_path)
    if target is not None:
        ops.restore(result.path, db=target)  # the scratch database now holds data
    before = _counts(target)
    with pytest.raises(ops.BackupError, match="not empty.*--yes"):
        ops.restore(result.path, db=target)
    assert _counts(target) == before


@pytest.mark.django_db(transaction=True)
def test_a_corrupted_backup_is_refused_with_a_clear_message(tmp_path, target):
    _ingest(2)
    result = ops.backup(tmp_path)
    data = bytearray(result.path.read_bytes())
    data[: len(data) // 2] = b"\x5a" * (len(data) // 2)
    result.path.write_bytes(bytes(data))
    before = _counts(target)
    message = "not a usable SQLite backup" if target is None else "reading the dump .* failed"
    with pytest.raises(ops.BackupError, match=message):
        ops.restore(result.manifest_path, yes=True, db=target)
    assert _counts(target) == before


@pytest.mark.django_db(transaction=True)
def test_a_count_mismatch_with_the_manifest_is_detected(tmp_path, target):
    _ingest(2)
    result = ops.backup(tmp_path)
    manifest = json.loads(result.manifest_path.read_text())
    manifest["counts"]["papers_paper"] += 1
    result.manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ops.BackupError, match="papers_paper: 2 rows, manifest says 3 rows"):
        ops.restore(result.manifest_path, yes=True, db=target)


@pytest.mark.django_db(transaction=True)
def test_a_backup_of_a_newer_version_is_refused_before_anything_changes(tmp_path, target):
    _ingest(2)
    result = ops.backup(tmp_path)
    manifest = json.loads(result.manifest_path.read_text())
    manifest["migrations"].append("papers.0999_from_the_future")
    result.manifest_path.write_text(json.dumps(manifest))
    before = _counts(target)
    with pytest.raises(ops.BackupError, match="newer paperfeed.*papers.0999_from_the_future"):
        ops.restore(result.manifest_path, yes=True, db=target)
    assert _counts(target) == before


def test_the_tables_of_a_dump_are_read_from_its_table_of_contents():
    toc = (
        ";\n; Archive created at 2026-11-27\n"
        "222; 1259 16390 TABLE public papers_paper postgres\n"
        "223; 1259 16400 TABLE public community_vote postgres\n"
        "3340; 0 16390 TABLE DATA public papers_paper postgres\n"
        "224; 1259 16410 SEQUENCE public papers_author_id_seq postgres\n"
    )
    assert ops.pg_dump_tables(toc) == {"papers_paper", "community_vote"}


def test_a_missing_manifest_is_named(tmp_path):
    (tmp_path / "paperfeed-x.sqlite3").write_bytes(b"")
    with pytest.raises(ops.BackupError, match="no manifest paperfeed-x.json"):
        ops.read_manifest(tmp_path / "paperfeed-x.sqlite3")


def test_count_mismatches_names_each_table():
    problems = ops.count_mismatches({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 0})
    assert problems == ["b: 2 rows, manifest says 3 rows", "c: missing, manifest says 0 rows"]


def test_the_postgres_password_travels_in_the_environment_only():
    db = {"HOST": "db", "PORT": 5433, "USER": "pf", "PASSWORD": "s3cret", "NAME": "x"}
    assert "s3cret" not in " ".join(ops.pg_args(db))
    assert "--username=pf" in ops.pg_args(db) and "--no-password" in ops.pg_args(db)
    assert ops.pg_env(db)["PGPASSWORD"] == "s3cret"


def test_online_sqlite_copy_is_consistent_while_another_thread_writes(tmp_path):
    live = tmp_path / "live.sqlite3"
    setup = sqlite3.connect(live)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE a (n INTEGER)")
    setup.execute("CREATE TABLE b (n INTEGER)")
    setup.commit()
    setup.close()
    stop = threading.Event()
    written = []

    def writer():
        con = sqlite3.connect(live, timeout=30)
        n = 0
        while not stop.is_set() or n < 200:
            with con:  # one transaction: a and b always hold the same number of rows
                con.execute("INSERT INTO a VALUES (?)", (n,))
                con.execute("INSERT INTO b VALUES (?)", (n,))
            n += 1
        written.append(n)
        con.close()

    thread = threading.Thread(target=writer)
    thread.start()
    copies = []
    try:
        reader = sqlite3.connect(live, timeout=30)
        for i in range(5):
            path = tmp_path / f"copy{i}.sqlite3"
            ops.sqlite_online_copy(reader, path)
            copies.append(ops.sqlite_check(path)[0])
        reader.close()
    finally:
        stop.set()
        thread.join()
    for counts in copies:
        assert counts["a"] == counts["b"]
    assert copies[-1]["a"] <= written[0]
    assert not (tmp_path / "copy0.sqlite3-wal").exists()  # a self-contained file


@pytest.mark.slow
def test_cli_backup_restore(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "papers.jsonl").write_bytes(PAPERS_JSONL)
    assert run_cli("init", home=home).returncode == 0
    assert run_cli("ingest", str(tmp_path / "papers.jsonl"), home=home).returncode == 0
    done = run_cli("backup", str(tmp_path / "bk"), "--json", home=home)
    assert done.returncode == 0, done.stderr
    manifest = json.loads(done.stdout)
    assert manifest["counts"]["papers_paper"] == 3
    backup_file = manifest["path"]

    refused = run_cli("restore", backup_file, home=home)
    assert refused.returncode == 1
    assert b"Pass --yes" in refused.stderr

    restored = run_cli("restore", backup_file, "--yes", home=home)
    assert restored.returncode == 0, restored.stderr
    assert b"paperfeed index --rebuild" in restored.stdout
    assert b"previous database was saved" in restored.stdout

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    into_empty = run_cli("restore", str(tmp_path / "bk"), "--reindex", home=fresh)
    assert into_empty.returncode == 0, into_empty.stderr
    status = run_cli("index", "--status", "--json", home=fresh)
    assert json.loads(status.stdout)["papers_in_index"] == 3

    with open(backup_file, "r+b") as fh:
        fh.write(b"not sqlite at all" * 10)
    broken = run_cli("restore", backup_file, "--yes", home=home)
    assert broken.returncode == 1
    assert b"not a usable SQLite backup" in broken.stderr


def test_a_directory_means_its_newest_backup(tmp_path):
    for stamp in ("20250101-000000", "20250102-000000"):
        (tmp_path / f"paperfeed-{stamp}.sqlite3").write_bytes(b"")
        manifest = {"engine": "sqlite", "file": f"paperfeed-{stamp}.sqlite3"}
        (tmp_path / f"paperfeed-{stamp}.json").write_text(
            json.dumps({**manifest, "counts": {}, "migrations": []})
        )
    path, _ = ops.read_manifest(tmp_path)
    assert path.name == "paperfeed-20250102-000000.sqlite3"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ops.BackupError, match="no paperfeed backup"):
        ops.read_manifest(empty)

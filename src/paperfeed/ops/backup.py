"""Backups of the database and their restore, each with a consistency check.

SQLite: an online copy through sqlite3's backup API (one step, so it is a consistent snapshot even
while the app writes; WAL mode lets writers go on meanwhile). PostgreSQL: ``pg_dump --format=custom``
inside an exported REPEATABLE READ snapshot, so the manifest's row counts describe exactly the rows
in the dump. Each backup ``paperfeed-YYYYmmdd-HHMMSS.{sqlite3,dump}`` has a manifest
``paperfeed-YYYYmmdd-HHMMSS.json`` next to it: row counts per table, applied migrations, paperfeed
version, creation time. Search indexes are not backed up; ``paperfeed index --rebuild`` rebuilds
them from the database.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

import paperfeed

MANIFEST_FORMAT = 1
PG_DUMP = os.environ.get("PAPERFEED_PG_DUMP", "pg_dump")
PG_RESTORE = os.environ.get("PAPERFEED_PG_RESTORE", "pg_restore")
# tables `migrate` fills by itself: rows there do not make a database "non-empty"
SETUP_TABLES = {"django_migrations", "django_content_type", "auth_permission", "django_site"}


class BackupError(Exception):
    """A backup or restore failed or its check found a problem; the message says which."""


@dataclass
class BackupResult:
    path: Path
    manifest_path: Path
    manifest: dict


# --- shared pieces ---------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def count_rows(cursor, tables: list[str]) -> dict[str, int]:
    """``{table: rows}`` for ``tables`` through a DB-API cursor."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(cursor) -> list[str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def make_manifest(*, engine: str, file: str, counts: dict[str, int], migrations: list[str]) -> dict:
    return {
        "format": MANIFEST_FORMAT,
        "engine": engine,
        "file": file,
        "paperfeed_version": paperfeed.__version__,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "counts": counts,
        "migrations": migrations,
    }


def count_mismatches(found: dict[str, int], expected: dict[str, int]) -> list[str]:
    """One line per table whose row count differs from ``expected`` (or is missing)."""
    problems = []
    for table in sorted(set(found) | set(expected)):
        have, want = found.get(table), expected.get(table)
        if have != want:
            have_text = "missing" if have is None else f"{have} rows"
            want_text = "absent" if want is None else f"{want} rows"
            problems.append(f"{table}: {have_text}, manifest says {want_text}")
    return problems


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")


def _free_stem(dest: Path, suffix: str) -> str:
    stem = f"paperfeed-{_stamp()}"
    candidate, n = stem, 1
    while (dest / f"{candidate}{suffix}").exists() or (dest / f"{candidate}.json").exists():
        n += 1
        candidate = f"{stem}-{n}"
    return candidate


def _write_manifest(path: Path, manifest: dict) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


def read_manifest(src: Path) -> tuple[Path, dict]:
    """``(backup file, manifest)`` for a backup file or its manifest; BackupError if unusable."""
    src = Path(src)
    if src.is_dir():
        found = sorted(src.glob("paperfeed-*.json"))
        if not found:
            raise BackupError(f"no paperfeed backup (paperfeed-*.json manifest) in {src}")
        src = found[-1]  # the newest: names sort by time
    manifest_path = src if src.suffix == ".json" else src.with_suffix(".json")
    if not manifest_path.exists():
        raise BackupError(
            f"no manifest {manifest_path.name} next to {src}; is this a paperfeed backup?"
        )
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"manifest {manifest_path} is not readable JSON: {exc}") from exc
    for key in ("engine", "file", "counts", "migrations"):
        if key not in manifest:
            raise BackupError(f"manifest {manifest_path} lacks {key!r}")
    path = manifest_path.parent / manifest["file"]
    if not path.exists():
        raise BackupError(f"backup file {path} named by {manifest_path.name} is missing")
    return path, manifest


def is_sqlite(db: dict | None = None) -> bool:
    db = db or connection.settings_dict
    return db["ENGINE"] == "django.db.backends.sqlite3"


# --- SQLite ----------------------------------------------------------------------------------


def sqlite_online_copy(source: sqlite3.Connection, target_path: Path) -> None:
    """Copy the database of ``source`` into a new file in one backup step (a consistent snapshot)."""
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)  # pages=-1: the whole database under one read transaction
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal/-shm
    finally:
        target.close()


def sqlite_check(path: Path) -> tuple[dict[str, int], list[str]]:
    """Integrity-check an SQLite file read-only; ``(counts, migrations)`` or BackupError."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be opened as an SQLite database: {exc}") from exc
    try:
        cur = con.cursor()
        result = cur.execute("PRAGMA integrity_check").fetchall()
        if [row[0] for row in result] != ["ok"]:
            detail = "; ".join(str(r[0]) for r in result[:5])
            raise BackupError(f"{path} fails SQLite's integrity check: {detail}")
        cur.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
        tables = [row[0] for row in cur.fetchall()]
        return count_rows(cur, tables), _migrations(cur) if "django_migrations" in tables else []
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a usable SQLite backup: {exc}") from exc
    finally:
        con.close()


def _sqlite_backup(dest: Path) -> BackupResult:
    stem = _free_stem(dest, ".sqlite3")
    path = dest / f"{stem}.sqlite3"
    connection.ensure_connection()
    sqlite_online_copy(connection.connection, path)
    counts, migrations = sqlite_check(path)
    manifest = make_manifest(engine="sqlite", file=path.name, counts=counts, migrations=migrations)
    manifest_path = dest / f"{stem}.json"
    _write_manifest(manifest_path, manifest)
    return BackupResult(path, manifest_path, manifest)


def _sqlite_restore(path: Path, manifest: dict, *, yes: bool) -> dict:
    counts, _ = sqlite_check(path)
    problems = count_mismatches(counts, manifest["counts"])
    if problems:
        raise BackupError(f"{path} does not match its manifest: " + "; ".join(problems))
    if connection.in_atomic_block:
        raise BackupError("cannot restore inside a transaction")
    connection.ensure_connection()
    live = connection.connection
    current = count_rows(live.cursor(), _sqlite_tables(live))
    _refuse_non_empty(current, yes)
    safety = None
    if any(current.values()):
        safety = Path(settings.DATA_DIR) / f"paperfeed-before-restore-{_stamp()}.sqlite3"
        safety.parent.mkdir(parents=True, exist_ok=True)
        sqlite_online_copy(live, safety)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        source.backup(live)
    finally:
        source.close()
    result = live.execute("PRAGMA integrity_check").fetchall()
    if [row[0] for row in result] != ["ok"]:
        raise BackupError(f"the restored database fails SQLite's integrity check: {result[:5]}")
    restored = count_rows(live.cursor(), _sqlite_tables(live))
    return {"counts": restored, "safety_copy": str(safety) if safety else None}


def _sqlite_tables(con: sqlite3.Connection) -> list[str]:
    rows = con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [row[0] for row in rows]


def _refuse_non_empty(counts: dict[str, int], yes: bool) -> None:
    data = {t: n for t, n in counts.items() if n and t not in SETUP_TABLES}
    if data and not yes:
        largest = sorted(data.items(), key=lambda item: -item[1])
        biggest = ", ".join(f"{t} ({n} rows)" for t, n in largest[:3])
        biggest += ", ..." if len(largest) > 3 else ""
        raise BackupError(
            f"the database is not empty ({biggest}); restoring replaces all of it. "
            "Pass --yes to overwrite it."
        )


# --- PostgreSQL ------------------------------------------------------------------------------


def pg_env(db: dict) -> dict:
    """The environment of pg_dump/pg_restore: the password travels in PGPASSWORD only."""
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def pg_args(db: dict) -> list[str]:
    """Connection options for pg_dump/pg_restore from a Django database dict (no password)."""
    args = ["--no-password"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    return args


def pg_connect(db: dict, name: str | None = None):
    return psycopg.connect(
        dbname=name or db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        connect_timeout=10,
    )


def _pg_tables(cur) -> list[str]:
    cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return [row[0] for row in cur.fetchall()]


def _run(args: list[str], env: dict, what: str) -> subprocess.CompletedProcess:
    try:
        proc = subprocess.run(args, env=env, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"{args[0]} is not installed or not on PATH ({what})") from exc
    if proc.returncode != 0:
        raise BackupError(f"{what} failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return proc


def pg_list(path: Path, db: dict | None = None) -> str:
    """``pg_restore --list`` of a dump: its table of contents, or BackupError if unreadable."""
    db = db or connection.settings_dict
    return _run([PG_RESTORE, "--list", str(path)], pg_env(db), f"reading the dump {path}").stdout


def _pg_backup(dest: Path, db: dict) -> BackupResult:
    stem = _free_stem(dest, ".dump")
    path = dest / f"{stem}.dump"
    with pg_connect(db) as con:
        con.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = con.execute("SELECT pg_export_snapshot()").fetchone()[0]
        cur = con.cursor()
        tables = _pg_tables(cur)
        counts = count_rows(cur, tables)
        migrations = _migrations(cur) if "django_migrations" in tables else []
        args = [PG_DUMP, "--format=custom", f"--file={path}", f"--snapshot={snapshot}"]
        _run([*args, *pg_args(db), f"--dbname={db['NAME']}"], pg_env(db), "pg_dump")
        con.rollback()
    toc = pg_list(path, db)
    missing = [t for t in tables if f"TABLE DATA public {t} " not in toc]
    if missing:
        raise BackupError(f"the dump {path} lacks the data of: {', '.join(missing)}")
    manifest = make_manifest(
        engine="postgresql", file=path.name, counts=counts, migrations=migrations
    )
    manifest_path = dest / f"{stem}.json"
    _write_manifest(manifest_path, manifest)
    return BackupResult(path, manifest_path, manifest)


def pg_dump_tables(toc: str) -> set[str]:
    """The tables of schema public that a dump's table of contents (``pg_list``) creates."""
    return set(re.findall(r"^\d+; \d+ \d+ TABLE public (\S+) ", toc, flags=re.MULTILINE))


def _pg_restore(path: Path, manifest: dict, db: dict, *, yes: bool) -> dict:
    dumped = pg_dump_tables(pg_list(path, db))  # a damaged dump is refused before any change
    if not dumped:
        raise BackupError(f"the dump {path} holds no tables of schema public")
    with pg_connect(db) as con:
        cur = con.cursor()
        tables = _pg_tables(cur)
        _refuse_non_empty(count_rows(cur, tables), yes)
        # Tables the backup does not have (a newer schema's, as when restoring the backup taken
        # before an upgrade): restoring replaces the whole database, their foreign keys would stop
        # --clean from dropping the backup's tables, and `migrate` would find them in its way.
        newer = sorted(set(tables) - dumped)
        if newer:
            cur.execute(f"DROP TABLE IF EXISTS {', '.join(map(_quote, newer))} CASCADE")
    # one transaction (implies --exit-on-error): a pg_restore that fails changes nothing
    args = [PG_RESTORE, "--clean", "--if-exists", "--no-owner", "--single-transaction"]
    _run([*args, *pg_args(db), f"--dbname={db['NAME']}", str(path)], pg_env(db), "pg_restore")
    with pg_connect(db) as con:
        cur = con.cursor()
        restored = count_rows(cur, _pg_tables(cur))
    return {"counts": restored, "safety_copy": None}


# --- entry points ----------------------------------------------------------------------------


def backup(dest: Path, db: dict | None = None) -> BackupResult:
    """Back up the database into directory ``dest`` and verify the copy against its manifest."""
    db = db or connection.settings_dict
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    if is_sqlite(db):
        if db is not connection.settings_dict:
            raise BackupError("SQLite backups are taken of the configured database only")
        result = _sqlite_backup(dest)
        counts, _ = sqlite_check(result.path)
        problems = count_mismatches(counts, result.manifest["counts"])
        if problems:
            raise BackupError(f"the copy {result.path} does not match: " + "; ".join(problems))
    elif "postgresql" in db["ENGINE"]:
        result = _pg_backup(dest, db)
    else:
        raise BackupError(f"backups of {db['ENGINE']} databases are not supported")
    return result


def pending_migrations() -> list[str]:
    """Migrations the code has that the configured database lacks (``app.name``)."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _ in plan]


def unknown_migrations(applied: list[str]) -> list[str]:
    """Migrations a backup records (``app.name``) that this version of the code does not have:
    the backup was taken by a newer paperfeed."""
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    return [name for name in applied if name not in known]


def restore(src: Path, *, yes: bool = False, db: dict | None = None, migrate: bool = True) -> dict:
    """Restore the backup ``src`` (file or manifest) into the database, then check it.

    Refuses a non-empty database unless ``yes``. Checks: integrity (SQLite), row counts equal to
    the manifest's, and migrations: those the code has beyond the backup's are applied
    (``migrate``, for the configured database only). Returns counts, applied migrations and the
    SQLite safety copy of the replaced database.
    """
    db = db or connection.settings_dict
    path, manifest = read_manifest(Path(src))
    engine = "sqlite" if is_sqlite(db) else "postgresql"
    if manifest["engine"] != engine:
        raise BackupError(
            f"{path.name} is a {manifest['engine']} backup; the database is {engine}. "
            "Restore it into a database of the same kind."
        )
    newer = unknown_migrations(manifest["migrations"])
    if newer:
        raise BackupError(
            f"{path.name} was taken by a newer paperfeed: its schema has migrations this version "
            f"does not know ({', '.join(newer)}). Install that version (or a later one) to "
            "restore it; nothing was changed."
        )
    if engine == "sqlite":
        result = _sqlite_restore(path, manifest, yes=yes)
    else:
        result = _pg_restore(path, manifest, db, yes=yes)
    problems = count_mismatches(result["counts"], manifest["counts"])
    if problems:
        raise BackupError(
            "the restored database does not match the manifest: " + "; ".join(problems)
        )
    result["migrated"] = []
    if migrate and db is connection.settings_dict:
        todo = pending_migrations()
        if todo:
            call_command("migrate", verbosity=0, interactive=False)
            result["migrated"] = todo
        left = pending_migrations()
        if left:
            raise BackupError(f"migrations still pending after restore: {', '.join(left)}")
    result["path"] = str(path)
    return result

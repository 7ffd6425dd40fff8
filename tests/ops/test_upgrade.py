"""Upgrades: migrations run forward over stored data, and a backup taken before an upgrade
restores with the current code (then migrated forward) into an empty database or over the
upgraded one.

The old schema is the real one: the tests migrate the test database back to ``papers 0001``
(Django unapplies what depends on later papers migrations: community, digests), write rows through
the historical models of that state, and migrate forward again. Both backends (the suite's SQLite
and PostgreSQL passes); the database is back at the latest state after each test.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.apps import apps as current_apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from paperfeed.ops import backup as ops
from paperfeed.papers import lists
from tests.conftest import run_cli
from tests.ops.conftest import database_url, scratch_postgres_database

OLD = [("papers", "0001_initial")]  # before feed_day, hidden, community and digests
COMMUNITY = [("community", "0001_initial")]  # papers at 0002_feed_day: votes, submissions
OLD_MODELS = [
    "auth.User",
    "accounts.ApiToken",
    "ingest.HarvestCheckpoint",
    "papers.Author",
    "papers.Paper",
    "papers.Authorship",
    "search.Embedding",
]
COMMUNITY_MODELS = ["community.Vote", "community.Submission", "community.Comment"]
LISTED, PUBLISHED, SUBMITTED = dt.date(2025, 3, 18), dt.date(2025, 3, 14), dt.date(2025, 4, 2)
# feed_day each old paper must have after the upgrade: listing day, else v1 date, else none
EXPECTED_FEED_DAY = {
    "2503.00001": LISTED,
    "2503.00002": PUBLISHED,
    "2503.00003": None,
    "2503.00004": LISTED,  # withdrawn, but its day is still derived
    "2503.00005": SUBMITTED,  # submitted at 0002: the submission day stays
}


def migrate_to(targets=None):
    """Migrate the test database to ``targets`` (default: the latest migrations); the apps of
    the resulting state (historical models)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()
    return executor.loader.project_state(list(executor.loader.applied_migrations)).apps


def snapshot(apps, labels: list[str]) -> dict[str, list[dict]]:
    """Every row of each model, as dicts in primary-key order (binary values as bytes)."""
    rows = {}
    for label in labels:
        values = apps.get_model(label).objects.order_by("pk").values()
        rows[label] = [
            {k: bytes(v) if isinstance(v, memoryview) else v for k, v in row.items()}
            for row in values
        ]
    return rows


def fill_old_schema(apps) -> None:
    """Realistic rows through the historical models of the papers-0001 state."""
    User = apps.get_model("auth", "User")
    Paper, Author = apps.get_model("papers", "Paper"), apps.get_model("papers", "Author")
    Authorship = apps.get_model("papers", "Authorship")
    ada = User.objects.create(username="ada", email="ada@example.org", password="!")
    User.objects.create(username="bob", email="bob@example.org", password="!")
    apps.get_model("accounts", "ApiToken").objects.create(
        user=ada, name="laptop", prefix="abcd1234", hash="0" * 64
    )
    apps.get_model("ingest", "HarvestCheckpoint").objects.create(
        set_spec="cs",
        base_url="https://oaipmh.arxiv.org/oai",
        from_date=dt.date(2025, 3, 1),
        until_date=dt.date(2025, 3, 18),
        resumption_token="token|1001",
        pages_done=3,
        records=3000,
    )
    authors = [Author.objects.create(name=n) for n in ("Ann Smith", "Bo Li", "Cé Müller")]
    dates = {
        "2503.00001": (LISTED, PUBLISHED),
        "2503.00002": (None, PUBLISHED),
        "2503.00003": (None, None),
        "2503.00004": (LISTED, PUBLISHED),
        "2503.00005": (None, PUBLISHED),
    }
    for n, (arxiv_id, (listed, published)) in enumerate(dates.items()):
        paper = Paper.objects.create(
            arxiv_id=arxiv_id,
            version=n + 1,
            title=f"Sparse attention, part {n}",
            title_raw=f"Sparse  attention,\n part {n}",
            abstract=f"We study sparse attention ({n}) with $O(n \\log n)$ cost.",
            abstract_raw=f"We study sparse attention ({n})\n with $O(n \\log n)$ cost.",
            primary_category="cs.LG",
            categories="cs.LG stat.ML",
            published=published,
            updated=published,
            listed=listed,
            doi=f"10.1000/x{n}",
            source="oai-pmh",
            upvotes=n,
            deleted=arxiv_id == "2503.00004",
        )
        for position, author in enumerate(authors[n % 2 :]):
            Authorship.objects.create(
                paper=paper, author=author, position=position, affiliation=f"Lab {position}"
            )
    apps.get_model("search", "Embedding").objects.create(
        paper_id="2503.00001", model="bge-small", dim=4, vector=bytes(range(8)), text_hash="f" * 64
    )


def fill_community(apps) -> None:
    """Votes, a submission (which sets feed_day, as submissions.submit does) and comments."""
    User, Paper = apps.get_model("auth", "User"), apps.get_model("papers", "Paper")
    ada, bob = User.objects.get(username="ada"), User.objects.get(username="bob")
    Vote = apps.get_model("community", "Vote")
    for user in (ada, bob):
        Vote.objects.create(user=user, paper_id="2503.00001")
    apps.get_model("community", "Submission").objects.create(paper_id="2503.00005", user=bob)
    Paper.objects.filter(pk="2503.00005").update(feed_day=SUBMITTED)
    Comment = apps.get_model("community", "Comment")
    top = Comment.objects.create(paper_id="2503.00001", user=ada, body="**Nice**", body_html="<p>")
    Comment.objects.create(paper_id="2503.00001", user=bob, parent=top, body="+1", body_html="<p>")


def assert_rows_survived(before: dict[str, list[dict]]) -> None:
    """Each model's rows now read, through the current models, the same old fields and values."""
    for label, rows in before.items():
        assert rows, f"the test stored no {label} rows"
        now = snapshot(current_apps, [label])[label]
        assert [{k: row[k] for k in rows[0]} for row in now] == rows, label


@pytest.mark.django_db(transaction=True)
def test_migrations_run_forward_over_stored_data():
    try:
        old = migrate_to(OLD)
        with connection.cursor() as cursor:
            table = connection.introspection.get_table_description(cursor, "papers_paper")
        columns = {column.name for column in table}
        assert "feed_day" not in columns and "hidden" not in columns
        assert "community_vote" not in connection.introspection.table_names()
        fill_old_schema(old)
        before = snapshot(old, OLD_MODELS)
        middle = migrate_to(COMMUNITY)
        fill_community(middle)
        before.update(snapshot(middle, COMMUNITY_MODELS))
        migrate_to()
    finally:
        migrate_to()  # the following tests need the latest schema, whatever happened here
    assert ops.pending_migrations() == []
    assert_rows_survived(before)

    Paper = current_apps.get_model("papers", "Paper")
    assert dict(Paper.objects.values_list("arxiv_id", "feed_day")) == EXPECTED_FEED_DAY
    Submission = current_apps.get_model("community", "Submission")  # community 0002: states
    assert list(Submission.objects.values_list("arxiv_id", "paper_id", "state", "error")) == [
        ("2503.00005", "2503.00005", "done", "")
    ]
    assert not Paper.objects.filter(hidden=True).exists()  # 0003's default on existing rows
    assert [a.name for a in Paper.objects.get(pk="2503.00002").ordered_authors()] == [
        "Bo Li",
        "Cé Müller",
    ]
    # the old papers are where users look for them: their day's feed, newest day first
    assert [p.arxiv_id for p in lists.day_feed(LISTED).items] == ["2503.00001"]
    assert [p.arxiv_id for p in lists.day_feed(PUBLISHED).items] == ["2503.00002"]
    assert lists.latest_day() == SUBMITTED


@pytest.fixture
def empty_database(tmp_path):
    """``(home, env)`` of a ``paperfeed`` process on a new, empty database: SQLite, a fresh data
    directory; PostgreSQL, a scratch database dropped afterwards (the suite's is never touched)."""
    home = tmp_path / "fresh-home"
    home.mkdir()
    if ops.is_sqlite():
        yield home, {}
        return
    with scratch_postgres_database("upgrade") as db:
        yield home, {"DATABASE_URL": database_url(db)}


READ_BACK = """
import json
from django.apps import apps
rows = {}
for label in %r:
    values = apps.get_model(label).objects.order_by("pk").values()
    rows[label] = [{k: bytes(v) if isinstance(v, memoryview) else v for k, v in r.items()}
                   for r in values]
print(json.dumps(rows, default=str))
"""
NEWER = {"papers.0002_feed_day", "papers.0003_paper_hidden", "papers.0004_backfill_feed_day"}
NEWER |= {"community.0001_initial", "digests.0001_initial"}


def backup_at_old_schema(dest) -> tuple[ops.BackupResult, dict]:
    """A `paperfeed backup` of the test database at papers 0001 with data, and its rows; the test
    database is at the latest state afterwards."""
    try:
        old = migrate_to(OLD)
        fill_old_schema(old)
        before = snapshot(old, OLD_MODELS)
        taken = ops.backup(dest)
        migrate_to()
        current_apps.get_model("papers", "Paper").objects.filter(pk="2503.00001").delete()
    finally:
        migrate_to()
    assert "papers.0001_initial" in taken.manifest["migrations"]
    assert not NEWER & set(taken.manifest["migrations"])
    return taken, json.loads(json.dumps(before, default=str))


def restore_and_check(taken: ops.BackupResult, before: dict, home, env, *extra: str) -> None:
    """`paperfeed restore` of the old backup with the current code: it applies the newer
    migrations, `paperfeed doctor` finds none pending, and the old rows read back unchanged."""
    done = run_cli("restore", str(taken.manifest_path), "--json", *extra, home=home, env=env)
    assert done.returncode == 0, done.stderr.decode()
    result = json.loads(done.stdout)
    assert set(result["migrated"]) >= NEWER
    assert result["counts"]["papers_paper"] == len(EXPECTED_FEED_DAY)

    doctor = run_cli("doctor", "--json", home=home, env=env)
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert checks["database"]["status"] == "OK", checks["database"]
    assert checks["migrations"]["status"] == "OK", checks["migrations"]

    labels = [*OLD_MODELS, "community.Vote"]
    shell = run_cli("manage", "shell", "--no-imports", "-c", READ_BACK % labels, home=home, env=env)
    assert shell.returncode == 0, shell.stderr.decode()
    restored = json.loads(shell.stdout)
    for label, rows in before.items():  # the old fields of every old row, value for value
        assert [{k: r[k] for k in rows[0]} for r in restored[label]] == rows, label
    feed_days = {r["arxiv_id"]: r["feed_day"] for r in restored["papers.Paper"]}
    expected = {k: v and v.isoformat() for k, v in EXPECTED_FEED_DAY.items()}
    assert feed_days == {**expected, "2503.00005": PUBLISHED.isoformat()}  # never submitted
    assert {r["hidden"] for r in restored["papers.Paper"]} == {False}
    assert restored["community.Vote"] == []


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_before_the_upgrade_restores_into_an_empty_database(
    tmp_path, empty_database
):
    taken, before = backup_at_old_schema(tmp_path / "backups")
    restore_and_check(taken, before, *empty_database)


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_before_the_upgrade_replaces_an_upgraded_database(tmp_path, empty_database):
    """Going back to the pre-upgrade backup on an upgraded installation: the old backup replaces
    a database at the latest schema that has rows in tables the backup lacks (on PostgreSQL their
    foreign keys stopped pg_restore --clean half-way until restore dropped those tables first)."""
    taken, before = backup_at_old_schema(tmp_path / "backups")
    home, env = empty_database
    upgraded = """
from django.core.management import call_command
from django.contrib.auth.models import User
from paperfeed.community.models import Vote
from paperfeed.papers.models import Paper
call_command("migrate", verbosity=0)
paper = Paper.objects.create(arxiv_id="2601.00001", title="After the upgrade", source="jsonl")
Vote.objects.create(user=User.objects.create(username="zoe"), paper=paper)
"""
    done = run_cli("manage", "shell", "--no-imports", "-c", upgraded, home=home, env=env)
    assert done.returncode == 0, done.stderr.decode()
    refused = run_cli("restore", str(taken.manifest_path), home=home, env=env)
    assert refused.returncode == 1 and b"Pass --yes" in refused.stderr
    restore_and_check(taken, before, home, env, "--yes")


@pytest.mark.django_db
def test_the_models_and_the_migrations_agree():
    """No model change is missing its migration (what `makemigrations --check` guards)."""
    try:
        call_command("makemigrations", check=True, dry_run=True, verbosity=0)
    except SystemExit as exc:
        pytest.fail(f"models changed without a migration (makemigrations --check exit {exc.code})")

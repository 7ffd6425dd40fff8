"""``paperfeed fetch arxiv`` end to end: a subprocess against the local server, exit codes, text."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from tests.conftest import run_cli
from tests.ingest.arxiv_server import (
    API,
    FEED_IDS,
    FIRST,
    HANG_UP,
    OAI,
    TOKEN1,
    TOKEN2,
    own_reply,
    serve_chain,
    shared_reply,
)

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def initialized_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("cli") / "home"
    done = run_cli("init", home=home)
    assert done.returncode == 0, done.stderr.decode()
    return home


@pytest.fixture
def home(initialized_home, tmp_path):
    """A fresh copy of a data directory with every table made (one ``init`` per module)."""
    return shutil.copytree(initialized_home, tmp_path / "home")


def rows(home, sql: str) -> list[tuple]:
    with sqlite3.connect(home / "paperfeed.sqlite3") as db:
        return db.execute(sql).fetchall()


def fetch(home, *args):
    done = run_cli("fetch", "arxiv", *args, home=home, timeout=60)
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def test_help_states_the_exit_codes(tmp_path):
    done = run_cli("fetch", "--help", home=tmp_path)
    text = " ".join(done.stdout.decode().split())
    assert done.returncode == 0
    assert "0 success (including nothing new)" in text
    assert "1 the fetch failed" in text and "2 usage error" in text
    for option in ("--set", "--id", "--from", "--until", "--restart", "--base-url"):
        assert option in text


def test_set_harvest_prints_the_summary_and_exits_0(arxiv, home):
    serve_chain(arxiv)
    code, out, err = fetch(
        home,
        "--set",
        "cs",
        "--from",
        "2025-01-01",
        "--until",
        "2025-01-04",
        "--base-url",
        arxiv.url + OAI,
    )
    assert code == 0, err
    assert out.splitlines()[0] == (
        "arxiv set cs 2025-01-01..2025-01-04: 5 new, 0 updated, 0 unchanged, 0 rejected, "
        "0 deleted; 3 pages, 3 requests, 0 retries"
    )
    assert arxiv.params() == [FIRST, TOKEN1, TOKEN2]
    assert rows(home, "select count(*) from papers_paper") == [(5,)]


def test_no_records_match_exits_0_with_nothing_new(arxiv, home):
    arxiv.route(OAI, {"metadataPrefix": "arXiv"}, own_reply("no-records-match.xml"))
    code, out, err = fetch(
        home,
        "--set",
        "cs",
        "--from",
        "2025-02-01",
        "--until",
        "2025-02-02",
        "--base-url",
        arxiv.url + OAI,
    )
    assert code == 0, err
    assert "0 new" in out and "nothing new" in out
    assert "nothing to do" in err


@pytest.mark.slow
def test_failure_exits_1_and_the_same_command_resumes(arxiv, home):
    serve_chain(arxiv, page2=[HANG_UP])
    args = [
        "--set",
        "cs",
        "--from",
        "2025-01-01",
        "--until",
        "2025-01-04",
        "--base-url",
        arxiv.url + OAI,
    ]
    code, out, err = fetch(home, *args)
    assert code == 1
    assert "fetch failed: gave up on" in err and "run the same command again to resume" in err
    assert rows(
        home, "select status, resumption_token, pages_done from ingest_harvestcheckpoint"
    ) == [("running", "6146342|1001", 1)]
    before = len(arxiv.requests)
    serve_chain(arxiv)
    code, out, err = fetch(home, *args)
    assert code == 0, err
    assert "resuming the interrupted harvest of cs" in err
    assert arxiv.params()[before:] == [TOKEN1, TOKEN2]
    assert "3 new" in out and "2 pages" in out
    assert rows(home, "select count(*) from papers_paper") == [(5,)]
    assert rows(home, "select status from ingest_harvestcheckpoint") == [("done",)]


def test_recorded_503_is_waited_out(arxiv, home):
    # the recorded Retry-After is 10 s: serve our own 503 asking for 0 s so the CLI does not sleep
    busy = shared_reply("oai-pmh", "list-records-503.html", status=503)
    busy.headers = [(n, "0" if n == "Retry-After" else v) for n, v in busy.headers]
    arxiv.route(OAI, {}, busy, shared_reply("oai-pmh", "list-records.xml"))
    code, out, err = fetch(
        home,
        "--set",
        "cs",
        "--from",
        "2015-01-01",
        "--until",
        "2015-01-03",
        "--base-url",
        arxiv.url + OAI,
    )
    assert code == 0, err
    assert "HTTP 503" in err and "2 new" in out and "1 retries" in out


def test_ids_from_the_query_api(arxiv, home):
    arxiv.route(API, {}, shared_reply("arxiv-api", "query_all-science_10-entries.xml"))
    code, out, err = fetch(
        home,
        "--id",
        ",".join(FEED_IDS[:5]),
        "--id",
        FEED_IDS[5],
        "--id",
        "2501.00042",
        "--base-url",
        arxiv.url + API,
    )
    assert code == 0, err
    assert out.splitlines()[0].startswith("arxiv 7 id(s): 10 new, 0 updated")
    assert "not returned by arXiv: 2501.00042" in out
    assert arxiv.params(API)[0]["id_list"] == ",".join([*FEED_IDS[:6], "2501.00042"])


def test_json_summary(arxiv, home):
    import json

    arxiv.route(API, {}, shared_reply("arxiv-api", "query_all-science_10-entries.xml"))
    code, out, err = fetch(home, "--id", FEED_IDS[0], "--json", "--base-url", arxiv.url + API)
    assert code == 0, err
    summary = json.loads(out)
    assert (summary["new"], summary["requests"], summary["pages"]) == (10, 1, 1)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--id", "2501.1234"], "not an arXiv id: '2501.1234'"),
        (["--set", "cs", "--from", "2025-13-01"], "'2025-13-01' is not a date"),
        (["--set", "cs", "--from", "2025-01-05", "--until", "2025-01-04"], "is after --until"),
        (["--id", "2501.00001", "--from", "2025-01-01"], "go with --set, not --id"),
        (["--set", "cs", "--id", "2501.00001"], "not allowed with argument"),
        ([], "arxiv: give --set SET or --id ID"),
        (["--set", "cs", "--base-url", "ftp://example.org"], "is not an http(s) URL"),
        (["--id", ","], "--id: no arXiv id given"),
        (["--set", ""], "--set: empty set name"),
    ],
)
def test_usage_errors_exit_2_and_name_the_problem(home, args, message):
    code, out, err = fetch(home, *args)
    assert code == 2
    assert message in err


def test_unreachable_server_exits_1(home):
    code, out, err = fetch(home, "--id", "2501.00001", "--base-url", "http://127.0.0.1:9/api/query")
    assert code == 1
    assert "fetch failed: gave up on http://127.0.0.1:9/api/query?id_list=2501.00001" in err


def test_an_uninitialised_database_is_named(tmp_path):
    code, out, err = fetch(tmp_path, "--id", "2501.00001", "--base-url", "http://127.0.0.1:9/")
    assert code == 2
    assert "run `paperfeed init` first" in err

"""`paperfeed ingest` end to end in a subprocess: summaries, idempotency, errors, interruption."""

import gzip
import json
import signal
import sqlite3
import subprocess
import time

import pytest

from tests.conftest import CLI, cli_env, run_cli


def paper(i: int, **kw) -> dict:
    obj = {
        "id": f"2503.{i:05d}",
        "title": f"Title {i}\n  wrapped",
        "abstract": f"Abstract\n{i}.",
        "authors": [f"Author {i}", "Common Name"],
        "categories": ["cs.CL", "cs.AI"],
        "comment": None,
        "listed": "2025-03-18",
    }
    obj.update(kw)
    return obj


def write_jsonl(path, objs, *, gz=False):
    data = "".join(json.dumps(o) + "\n" for o in objs).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def dump(db_path) -> list:
    """The content of the store, without timestamps, in a stable order."""
    con = sqlite3.connect(db_path)
    papers = con.execute(
        "select arxiv_id, version, title, title_raw, abstract, abstract_raw, primary_category, "
        "categories, published, updated, listed, comment, journal_ref, doi, license, source, "
        "deleted from papers_paper order by arxiv_id"
    ).fetchall()
    links = con.execute(
        "select s.paper_id, s.position, a.name, s.affiliation from papers_authorship s "
        "join papers_author a on a.id = s.author_id order by s.paper_id, s.position"
    ).fetchall()
    authors = con.execute("select name from papers_author order by name").fetchall()
    con.close()
    return [papers, links, authors]


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "home"
    assert run_cli("init", home=home).returncode == 0
    return home


def test_ingest_twice_reports_nothing_changed(tmp_path, home):
    src = write_jsonl(tmp_path / "p.jsonl.gz", [paper(i) for i in range(1, 6)], gz=True)
    first = run_cli("ingest", str(src), home=home)
    assert first.returncode == 0, first.stderr
    assert b"5 new, 0 updated, 0 unchanged, 0 rejected" in first.stdout
    second = run_cli("ingest", str(src), home=home)
    assert b"0 new, 0 updated, 5 unchanged, 0 rejected" in second.stdout
    assert b"nothing changed" in second.stdout
    stats = json.loads(run_cli("stats", "--json", home=home).stdout)
    assert stats["papers"] == 5 and stats["categories"] == {"cs.CL": 5}
    assert stats["months"] == {"2025-03": 5}


def test_stdin_and_xz_and_json_summary(tmp_path, home):
    import lzma

    data = "".join(json.dumps(paper(i)) + "\n" for i in range(1, 4)).encode()
    out = run_cli("ingest", "-", "--json", home=home, input=lzma.compress(data))
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert (summary["new"], summary["files"][0]["format"]) == (3, "jsonl")


def test_bad_records_are_rejected_with_line_numbers_and_the_rest_stored(tmp_path, home):
    lines = [
        json.dumps(paper(1)),
        "{not json",
        json.dumps(paper(2, id=None)),
        json.dumps(paper(3, title="  ")),
        json.dumps(paper(4, id="not-an-id")),
        json.dumps(paper(5, listed="18/03/2025")),
        json.dumps(paper(6)),
    ]
    src = tmp_path / "bad.jsonl"
    src.write_text("\n".join(lines) + "\n")
    out = run_cli("ingest", str(src), home=home)
    assert out.returncode == 0
    err = out.stderr.decode()
    assert f"{src}:2: invalid JSON" in err
    assert f"{src}:3: record has no arXiv id" in err
    assert f"{src}:4: 2503.00003: record has no title" in err
    assert f"{src}:5: not an arXiv id: 'not-an-id'" in err
    assert f"{src}:6: listed '18/03/2025' is not an ISO date" in err
    assert b"2 new, 0 updated, 0 unchanged, 5 rejected" in out.stdout
    assert json.loads(run_cli("stats", "--json", home=home).stdout)["papers"] == 2


def test_truncated_gzip_fails_clearly_and_stores_no_partial_batch(tmp_path, home):
    full = gzip.compress("".join(json.dumps(paper(i)) + "\n" for i in range(1, 301)).encode())
    src = tmp_path / "cut.jsonl.gz"
    src.write_bytes(full[: len(full) // 2])
    out = run_cli("ingest", str(src), "--batch-size", "1000", home=home)
    assert out.returncode == 1
    assert f"{src}: gzip stream is truncated" in out.stderr.decode()
    assert json.loads(run_cli("stats", "--json", home=home).stdout)["papers"] == 0


def test_unreadable_inputs_fail_with_the_file_named(tmp_path, home):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    binary = tmp_path / "junk.bin"
    binary.write_bytes(b"\x00\x01\x02garbage")
    out = run_cli("ingest", str(empty), str(binary), str(tmp_path / "missing.json"), home=home)
    assert out.returncode == 1
    err = out.stderr.decode()
    assert f"{empty}: the input is empty" in err
    assert f"{binary}: unknown format" in err
    assert "missing.json: cannot open" in err


def test_killed_ingest_then_rerun_equals_one_clean_run(tmp_path):
    objs = [paper(i, authors=[f"A{i % 97}", f"B{i % 13}"]) for i in range(1, 4001)]
    src = write_jsonl(tmp_path / "many.jsonl", objs)
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    for home in (clean, killed):
        assert run_cli("init", home=home).returncode == 0
    assert run_cli("ingest", str(src), home=clean).returncode == 0

    proc = subprocess.Popen(
        [*CLI, "ingest", str(src), "--batch-size", "50"],
        env=cli_env(killed),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = killed / "paperfeed.sqlite3"
    deadline = time.time() + 60
    stored = 0
    while time.time() < deadline and proc.poll() is None:
        try:
            con = sqlite3.connect(db, timeout=1)
            stored = con.execute("select count(*) from papers_paper").fetchone()[0]
            con.close()
        except sqlite3.OperationalError:
            stored = 0
        if stored >= 500:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < stored < 4000, "the ingest should have been killed half-way"
    assert run_cli("ingest", str(src), home=killed).returncode == 0
    assert dump(killed / "paperfeed.sqlite3") == dump(clean / "paperfeed.sqlite3")

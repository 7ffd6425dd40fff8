"""paperfeed index: exit 3 while another process writes the index, unless told to wait;
progress of a long build outside a terminal."""

import fcntl
import io
import subprocess
import time

import orjson
import pytest
from django.core.management import call_command

from paperfeed import progress
from paperfeed.ingest.jsonl import parse as parse_jsonl
from paperfeed.ingest.upsert import ingest
from paperfeed.search import embedding_job
from paperfeed.search.encoders import load_encoder
from tests.conftest import CLI, cli_env, run_cli


def test_index_exits_3_while_another_writer_holds_the_lock_unless_told_to_wait(tmp_path):
    home = tmp_path / "home"
    assert run_cli("init", home=home).returncode == 0
    lock_path = home / "index" / "lexical.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # another writer of this node
        busy = run_cli("index", home=home)
        assert busy.returncode == 3 and b"another process is writing" in busy.stderr
        waiting = subprocess.Popen(
            [*CLI, "index", "--wait", "120"], env=cli_env(home), stderr=subprocess.PIPE
        )
        time.sleep(busy_seconds := 6)
        assert waiting.poll() is None, f"gave up within {busy_seconds} s instead of waiting"
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        assert waiting.wait(timeout=120) == 0, waiting.stderr.read().decode()


@pytest.mark.django_db
def test_index_build_reports_papers_and_vectors_indexed_of_total_outside_a_terminal(
    data_home, settings, monkeypatch, capsys
):
    # a newcomer's `bash scripts/quickstart.sh ... | tee log` sat 67 s without a line: the
    # bars were drawn only on a terminal and `paperfeed index` turned them off elsewhere
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    records = [
        {
            "id": f"2503.{i:05d}",
            "title": f"Paper {i} on graph networks",
            "abstract": f"Abstract {i}.",
            "authors": ["A Person"],
            "categories": ["cs.LG"],
            "listed": "2025-03-18",
        }
        for i in range(1, 8)
    ]
    ingest(parse_jsonl(io.BytesIO(b"".join(orjson.dumps(r) + b"\n" for r in records)), "t.jsonl"))
    embedding_job.embed_missing(load_encoder())
    monkeypatch.setattr(progress, "PLAIN_EVERY", 0.0)  # every step is "long" here
    capsys.readouterr()
    call_command("index", "--rebuild")
    err = capsys.readouterr().err
    assert "index papers: 7/7 papers (100%)" in err, err
    assert "index vectors: 7/7 papers (100%)" in err, err
    call_command("index", "--json")  # --json stays machine-readable: no progress lines
    assert capsys.readouterr().err == ""

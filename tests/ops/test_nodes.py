"""Several web nodes on one database: a node's running `paperfeed serve` catches up by itself
after another node ingested (no `paperfeed index` on it, no restart), and /metrics of a
`serve --workers 2` answers with the sum over both gunicorn processes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import CLI, cli_env, run_cli
from tests.web.test_serve import free_port, wait_for

pytestmark = pytest.mark.slow


@contextmanager
def shared_database(tmp_path: Path):
    """A database both nodes use: a fresh PostgreSQL database in the PostgreSQL pass of the
    suite, else one SQLite file."""
    server = os.environ.get("PAPERFEED_TEST_DATABASE_URL", "")
    if not server.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        return
    import psycopg

    name = f"paperfeed_nodes_{os.getpid()}"
    admin = server.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def papers_file(path: Path, word: str, count: int, start: int) -> Path:
    lines = [
        json.dumps(
            {
                "id": f"2611.{start + i:05d}",
                "title": f"{word} number {i}: a study of sparse attention",
                "abstract": f"We look at {word} in setting {i}.",
                "authors": ["Ada Lovelace"],
                "categories": ["cs.CL"],
                "listed": "2026-11-20",
            }
        )
        for i in range(count)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def found(port: int, word: str) -> set[str]:
    query = urllib.parse.urlencode({"q": word, "mode": "lexical", "limit": 50})
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/search?{query}") as response:
        return {hit["paper"]["id"] for hit in json.load(response)["items"]}


@contextmanager
def serving(home: Path, workers: int, **env: str):
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", str(workers)],
        env=cli_env(home, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        yield port
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode(errors="replace")
        assert server.returncode == 0, output[-3000:]


def test_a_serving_node_catches_up_by_itself_after_another_node_ingests(tmp_path):
    node_a, node_b = tmp_path / "node-a", tmp_path / "node-b"
    node_a.mkdir()
    node_b.mkdir()
    with shared_database(tmp_path) as url:
        env = {"DATABASE_URL": url, "PAPERFEED_INDEX_CATCHUP_SECONDS": "1"}
        assert run_cli("init", home=node_b, env=env).returncode == 0
        first = papers_file(tmp_path / "first.jsonl", "quasarfish", 2, 1)
        assert run_cli("ingest", str(first), home=node_b, env=env).returncode == 0
        with serving(node_b, 2, **env) as port:
            assert len(found(port, "quasarfish")) == 2
            assert found(port, "nebulawhale") == set()

            second = papers_file(tmp_path / "second.jsonl", "nebulawhale", 3, 101)
            result = run_cli("ingest", str(second), home=node_a, env=env)  # the other node
            assert result.returncode == 0, result.stderr.decode()

            wanted = {"2611.00101", "2611.00102", "2611.00103"}
            deadline = time.monotonic() + 30
            while (hits := found(port, "nebulawhale")) != wanted:
                assert time.monotonic() < deadline, f"node B did not catch up: {hits}"
                time.sleep(0.3)
        state = json.loads(next((node_b / "index").glob("lexical-*/state.json")).read_text())
        assert state["papers"] == 5


def metric_total(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"{name}\{{(.*)\}} (\S+)$", line)
        if match and all(f'{k}="{v}"' in match.group(1) for k, v in labels.items()):
            total += float(match.group(2))
    return total


def test_metrics_of_two_web_processes_add_up(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    assert run_cli("init", home=home).returncode == 0
    with serving(home, 2) as port:
        for _ in range(40):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz").read()
        for _ in range(6):  # any process answers the scrape with the node's total
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as response:
                text = response.read().decode()
            count = metric_total(
                text, "paperfeed_request_duration_seconds_count", route="ops:healthz", status="2xx"
            )
            assert count >= 41, text  # 40 probes + the readiness wait, from every process
        files = {p.name.split("_")[-1] for p in (home / "run" / "metrics").glob("*.db")}
        assert len(files) >= 2, files  # both gunicorn workers wrote their share

        batch = papers_file(tmp_path / "batch.jsonl", "metricmoth", 3, 1)
        assert run_cli("ingest", str(batch), home=home).returncode == 0  # another process
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as response:
            text = response.read().decode()
        assert re.search(r'^papers_ingested_total\{outcome="new"\} 3\.0$', text, re.M), text

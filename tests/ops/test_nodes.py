"""Several web nodes on one database: a node's running `paperfeed serve` catches up by itself
after another node ingested (no `paperfeed index` on it, no restart), and /metrics of a
`serve --workers 2` answers with the sum over both gunicorn processes."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.ops.fault_support import Store, paperfeed, scratch_store, serving

pytestmark = pytest.mark.slow


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


def found(url: str, word: str) -> set[str]:
    query = urllib.parse.urlencode({"q": word, "mode": "lexical", "limit": 50})
    with urllib.request.urlopen(f"{url}/api/v1/search?{query}") as response:
        return {hit["paper"]["id"] for hit in json.load(response)["items"]}


def test_a_serving_node_catches_up_by_itself_after_another_node_ingests(tmp_path):
    with scratch_store(tmp_path, "nodes") as store:
        # both nodes use the store's database (for SQLite: its file), each its own data directory
        url = store.url or f"sqlite:///{store.home / 'paperfeed.sqlite3'}"
        node_a, node_b = Store(tmp_path / "node-a", url), Store(tmp_path / "node-b", url)
        node_a.home.mkdir()
        node_b.home.mkdir()
        paperfeed(node_b, "init")
        paperfeed(node_b, "ingest", str(papers_file(tmp_path / "first.jsonl", "quasarfish", 2, 1)))
        log = tmp_path / "serve.log"
        with serving(node_b, 2, log, PAPERFEED_INDEX_CATCHUP_SECONDS="1") as server:
            assert len(found(server.url, "quasarfish")) == 2
            assert found(server.url, "nebulawhale") == set()

            second = papers_file(tmp_path / "second.jsonl", "nebulawhale", 3, 101)
            paperfeed(node_a, "ingest", str(second))  # the other node

            wanted = {"2611.00101", "2611.00102", "2611.00103"}
            deadline = time.monotonic() + 30
            while (hits := found(server.url, "nebulawhale")) != wanted:
                assert time.monotonic() < deadline, f"node B did not catch up: {hits}"
                time.sleep(0.3)
        state_file = next((node_b.home / "index").glob("lexical-*/state.json"))
        assert json.loads(state_file.read_text())["papers"] == 5


def metric_total(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"{name}\{{(.*)\}} (\S+)$", line)
        if match and all(f'{k}="{v}"' in match.group(1) for k, v in labels.items()):
            total += float(match.group(2))
    return total


def scrape(url: str) -> str:
    with urllib.request.urlopen(f"{url}/metrics") as response:
        return response.read().decode()


def test_metrics_of_two_web_processes_add_up(tmp_path):
    with scratch_store(tmp_path, "metrics") as store:
        paperfeed(store, "init")
        with serving(store, 2, tmp_path / "serve.log") as server:
            for _ in range(40):
                urllib.request.urlopen(f"{server.url}/healthz").read()
            for _ in range(6):  # any process answers the scrape with the node's total
                text = scrape(server.url)
                count = metric_total(
                    text,
                    "paperfeed_request_duration_seconds_count",
                    route="ops:healthz",
                    status="2xx",
                )
                assert count >= 41, text  # 40 probes + the readiness wait, from every process
            files = {p.name.split("_")[-1] for p in (store.home / "run" / "metrics").glob("*.db")}
            assert len(files) >= 2, files  # both gunicorn workers wrote their share

            batch = papers_file(tmp_path / "batch.jsonl", "metricmoth", 3, 1)
            paperfeed(store, "ingest", str(batch))  # another process
            text = scrape(server.url)
            assert re.search(r'^papers_ingested_total\{outcome="new"\} 3\.0$', text, re.M), text

"""The load benchmark's data model (benchmarks/load_data.py, load_newday.py): pure functions, no
database, no locust."""

from __future__ import annotations

import gzip
import json
import random
import re

import numpy as np
import pytest
from benchmarks import load_data, load_newday, load_report


def realistic_ages(papers: int = 74_000, days: int = 410) -> np.ndarray:
    """Feed-day ages of a corpus like the shared one: papers spread over 410 days."""
    return np.random.default_rng(1).integers(0, days, size=papers)


def test_vote_counts_are_heavy_tailed_and_concentrated_on_recent_papers():
    ages = realistic_ages()
    counts = load_data.vote_counts(ages, users=300, rng=np.random.default_rng(7))
    recent = ages < load_data.RECENT_DAYS
    window = load_data.RECENT_DAYS + load_data.OLDER_DAYS
    assert (counts == 0).mean() > 0.9  # most papers: no upvote
    assert counts[ages >= window].max() == 0  # old papers: none
    assert 10 <= (counts[recent] >= 100).sum() <= 0.1 * recent.sum()  # a few 100+ papers
    assert counts[recent].mean() > 5 * counts[~recent & (ages < window)].mean()
    assert counts.max() <= 300  # never more voters than users


def test_vote_counts_are_reproducible_from_the_seed():
    ages = realistic_ages(5000, 30)
    first = load_data.vote_counts(ages, 300, np.random.default_rng(7))
    again = load_data.vote_counts(ages, 300, np.random.default_rng(7))
    other = load_data.vote_counts(ages, 300, np.random.default_rng(8))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_each_paper_gets_its_count_of_distinct_voters_and_some_users_vote_far_more():
    counts = np.array([0, 3, 300, 0, 40, 1])
    pairs = list(load_data.pick_voters(counts, 300, np.random.default_rng(2)))
    by_paper: dict[int, list[int]] = {}
    for paper, user in pairs:
        by_paper.setdefault(paper, []).append(user)
    assert {p: len(u) for p, u in by_paper.items()} == {1: 3, 2: 300, 4: 40, 5: 1}
    assert all(len(set(users)) == len(users) for users in by_paper.values())
    assert all(0 <= u < 300 for _, u in pairs)
    activity = load_data.user_activity(300)
    assert activity.sum() == pytest.approx(1.0)
    assert activity[0] > 10 * activity[-1]


def test_split_corpus_holds_back_exactly_the_last_listing_day(tmp_path):
    corpus = tmp_path / "corpus.jsonl.gz"
    days = ["2026-06-29", "2026-07-01", "2026-06-30", "2026-07-01", "2026-06-29"]
    with gzip.open(corpus, "wt") as fh:
        for i, day in enumerate(days):
            fh.write(json.dumps({"id": f"2606.{i:05d}", "title": f"t{i}", "listed": day}) + "\n")
    split = load_data.split_corpus(corpus, tmp_path / "out")
    assert (split.held_back_day, split.held_back, split.rest) == ("2026-07-01", 2, 3)
    held = load_data.held_back_papers(split.held_back_file)
    assert [p["id"] for p in held] == ["2606.00001", "2606.00003"]
    with gzip.open(split.rest_file, "rt") as fh:
        assert {json.loads(line)["listed"] for line in fh} == {"2026-06-29", "2026-06-30"}
    again = load_data.split_corpus(corpus, tmp_path / "out")  # reused, same answer
    assert (again.held_back_day, again.held_back, again.rest) == ("2026-07-01", 2, 3)


def test_tail_queries_are_a_few_plain_words_of_the_title():
    title = r"Sparse $\mathcal{O}(n)$ Attention: Faster Long-Context LLMs, Revisited"
    plain = " ".join(re.sub(r"[^A-Za-z0-9 ]+", " ", title).lower().split())
    rng = random.Random(4)
    queries = {load_data.tail_query(title, rng) for _ in range(50)}
    assert len(queries) > 5  # fragments differ
    for query in queries:
        assert 2 <= len(query.split()) <= 5
        assert f" {query} " in f" {plain} "  # consecutive words of the title


def test_searchable_title_drops_query_operators_and_latex():
    title = '"Quoted" -negated title: with $x^2$ and author:someone (parens)'
    query = load_newday.searchable_title(title)
    assert '"' not in query and ":" not in query and "$" not in query and "(" not in query
    assert not any(word.startswith("-") for word in query.split())
    assert query.split()[:3] == ["Quoted", "negated", "title"]


def test_server_times_come_from_the_load_requests_of_gunicorns_access_log(tmp_path):
    agent = "paperfeed-load/1"
    log = tmp_path / "serve.log"
    line = '127.0.0.1 - - [27/Nov/2026:03:44:01 +0000] "{} HTTP/1.0" {} 512 "-" "{}" {}'
    log.write_text(
        "\n".join(
            [
                "[2026-11-27 03:40:00 +0000] [381] [INFO] Booting worker with pid: 381",
                line.format("GET /papers/2606.30776", 200, agent, 21000),
                line.format("GET /papers/2501.01234v2", 200, agent, 9000),
                line.format(
                    "GET /search?q=kv+cache&mode=lexical&since=2026-06-01", 200, agent, 5000
                ),
                line.format("POST /papers/2606.30776/vote", 200, agent, 12000),
                line.format("GET /api/daily_papers?date=2026-06-30", 502, agent, 1000),
                line.format("GET /readyz", 200, "paperfeed-load-check/1", 800000),
            ]
        )
        + "\n"
    )
    facts = load_report.server_log_facts(log, agent)
    assert facts["status_counts"] == {"200": 5, "502": 1}
    assert (facts["server_5xx"], facts["worker_boots"], facts["worker_timeouts"]) == (1, 1, 0)
    times = {row["route"]: row for row in facts["server_times"]}
    assert times["GET /papers/[id]"]["requests"] == 2
    assert times["GET /papers/[id]"]["max_ms"] == 21.0
    assert "GET /search (mode=lexical, filters)" in times
    assert "POST /papers/[id]/vote" in times and "GET /api/daily_papers" in times
    assert times["all requests"]["requests"] == 5  # the check's /readyz is not load
    assert not any("readyz" in route for route in times)

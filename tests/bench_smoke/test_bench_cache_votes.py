"""The page cache under votes (benchmarks/bench_cache_votes.py) on a small home: both schemes see
the same reads and votes from the same starting votes, and the numbers say what each scheme does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import timezone

from paperfeed.community.models import Vote
from tests.web.conftest import make_user, record, store

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
pytestmark = pytest.mark.django_db
PAPERS = [f"2503.{n:05d}" for n in range(1, 31)]


@pytest.fixture
def bench(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # it imports bench_cache as a sibling
    import bench_cache_votes

    return bench_cache_votes


@pytest.fixture
def plan(tmp_path, settings):
    settings.PAPERFEED_PAGE_CACHE_SECONDS = 60
    today = timezone.now().date()
    store(*(record(today, arxiv_id=p, title=f"Paper {p}") for p in PAPERS))
    for name in ("ann", "bob", "cy"):
        make_user(name)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"papers": PAPERS}))
    return path


def test_both_schemes_replay_the_same_votes_and_scoped_tokens_keep_paper_pages(bench, plan):
    steps = bench.reads_and_votes(plan, reads=300, votes_every=10)
    assert sum(step[0] == "vote" for step in steps) == 30
    assert steps == bench.reads_and_votes(plan, reads=300, votes_every=10)  # seeded
    before = set(Vote.objects.values_list("user_id", "paper_id"))

    one_token = bench.run(steps, "global")
    assert set(Vote.objects.values_list("user_id", "paper_id")) == before  # votes restored
    scoped = bench.run(steps, "scoped")
    assert set(Vote.objects.values_list("user_id", "paper_id")) == before

    for result in (one_token, scoped):
        assert result["paper"]["reads"] + result["home"]["reads"] == 300
        assert 0 < result["paper"]["hit_rate"] <= 1
    # every vote re-renders the lists in both schemes; only the scoped one keeps paper pages
    assert scoped["home"]["hit_rate"] == one_token["home"]["hit_rate"] < 1
    assert scoped["paper"]["hit_rate"] > one_token["paper"]["hit_rate"] + 0.2

"""The for-you quality benchmark (benchmarks/bench_foryou.py): its metrics on hand-made rankings,
and a two-interest run on the shared corpus that prints every row of the table."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def bench(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # it imports bench_recommend as a sibling
    import bench_foryou

    return bench_foryou


def test_ndcg_is_one_for_the_ideal_order_and_discounts_later_hits(bench):
    relevant = np.array([False, True, False, True])
    assert bench.ndcg_at(np.array([1, 3, 0, 2]), relevant) == pytest.approx(1.0)
    assert bench.ndcg_at(np.array([0, 2, 1, 3]), relevant) == pytest.approx(
        (1 / np.log2(4) + 1 / np.log2(5)) / (1 + 1 / np.log2(3))
    )
    assert bench.ndcg_at(np.array([0, 2]), np.array([False, False, False])) == 0.0


def test_ties_follow_the_random_tiebreak_not_the_index(bench):
    scores = np.array([1.0, 2.0, 1.0, 1.0])
    assert bench.order(scores, np.array([3, 0, 1, 2])).tolist() == [1, 2, 3, 0]


def test_a_small_run_reports_every_order(bench, capsys):
    if not bench.RECENT.exists():
        pytest.skip(f"needs the shared corpus {bench.RECENT}")
    assert bench.main(["--topics", "4", "--splits", "1"]) == 0
    out = capsys.readouterr().out
    assert "community order (baseline)" in out
    rows = re.findall(r"^\| for you: (.+?) \| ([0-9.]+) \| ([0-9.]+) \|$", out, re.M)
    assert [label for label, _, _ in rows] == [label for label, *_ in bench.variants(
        bench.personal.DEFAULT_WEIGHTS)]  # fmt: skip
    assert all(0 <= float(p) <= 1 and 0 <= float(n) <= 1 for _, p, n in rows)

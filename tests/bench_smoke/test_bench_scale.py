"""The scale benchmark's own arithmetic and argument checks (benchmarks/bench_scale.py); the
stages themselves are the paperfeed commands the rest of the suite tests."""

from __future__ import annotations

from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def bench(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import bench_scale

    return bench_scale


def test_percentiles_of_wall_and_cpu_times(bench):
    walls = [i / 1000 for i in range(1, 101)]  # 1 .. 100 ms
    result = bench.percentiles(walls, [w / 2 for w in walls])
    assert result["n"] == 100
    assert (result["p50_ms"], result["p95_ms"], result["max_ms"]) == (50.5, 96.0, 100.0)
    assert (result["cpu_p50_ms"], result["cpu_max_ms"]) == (25.2, 50.0)
    assert "cpu_p50_ms" not in bench.percentiles(walls)


def test_an_unknown_stage_is_named(bench, tmp_path, capsys):
    with pytest.raises(SystemExit):
        bench.main([str(tmp_path), "--home", str(tmp_path / "home"), "--stages", "ingest,serach"])
    assert "unknown stage(s) serach" in capsys.readouterr().err

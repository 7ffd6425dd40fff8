"""The scale corpus generator (benchmarks/gen_scale_corpus.py): ids, determinism, vectors, and a
tiny corpus that paperfeed ingests and imports as it is."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import orjson
import pytest

from paperfeed.papers.ids import parse_arxiv_id
from tests.conftest import shared_file

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def gen(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import gen_scale_corpus

    return gen_scale_corpus


@pytest.fixture
def shared():
    return shared_file("data", "arxiv-cs-2025-2026.jsonl.gz").parents[1]


def _digest(folder: Path) -> str:
    sha = hashlib.sha256()
    for name in ("papers.jsonl.gz", "vectors.f16.npy", "vectors.ids.txt"):
        path = folder / name
        sha.update(
            gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
        )
    return sha.hexdigest()


def _papers(path: Path) -> list[dict]:
    with gzip.open(path) as fh:
        return [orjson.loads(line) for line in fh]


def test_ids_are_distinct_parse_as_arxiv_ids_and_are_no_real_archive(gen):
    numbers = [0, 1, 9_999_999, 10_000_000, 26 * 10**7, 675 * 10**7 + 9_999_999]
    ids = [gen.synthetic_id(n) for n in numbers]
    assert ids[:4] == [
        "synth.AA/0000000",
        "synth.AA/0000001",
        "synth.AA/9999999",
        "synth.AB/0000000",
    ]
    assert ids[4] == "synth.BA/0000000" and ids[5] == "synth.ZZ/9999999"
    assert len(set(ids)) == len(ids)
    assert [parse_arxiv_id(i).id for i in ids] == ids  # paperfeed keys them unchanged
    with pytest.raises(ValueError, match="beyond"):
        gen.synthetic_id(676 * 10**7)


def test_listing_days_are_weekdays_weighted_by_arxiv_growth(gen):
    rng = np.random.default_rng(1)
    years = np.array(sorted(gen.ARXIV_PER_YEAR))
    weights = np.array([gen.ARXIV_PER_YEAR[y] for y in years])
    days = [gen.listing_day(rng, years, weights / weights.sum()) for _ in range(4000)]
    assert all(d.weekday() < 5 and d <= gen.LAST_DAY for d in days)
    recent = sum(d.year >= 2020 for d in days) / len(days)
    share = sum(gen.ARXIV_PER_YEAR[y] for y in years if y >= 2020) / weights.sum()
    assert abs(recent - share) < 0.03  # ~57 % of arXiv is from 2020 on


def test_a_tiny_corpus_is_deterministic_streams_real_text_and_perturbs_real_vectors(
    gen, shared, tmp_path
):
    gen.generate(tmp_path / "a", 300, seed=5, shared=shared)
    gen.generate(tmp_path / "b", 300, seed=5, shared=shared)
    gen.generate(tmp_path / "c", 300, seed=6, shared=shared)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b") != _digest(tmp_path / "c")

    papers = _papers(tmp_path / "a" / "papers.jsonl.gz")
    with gzip.open(shared / "data" / "arxiv-cs-2025-2026.jsonl.gz") as fh:
        real = [orjson.loads(next(fh)) for _ in range(300)]
    assert [p["title"] for p in papers] == [r["title"] for r in real]  # real text, in order
    ids = (tmp_path / "a" / "vectors.ids.txt").read_text().split()
    assert ids == [p["id"] for p in papers] == [gen.synthetic_id(i) for i in range(300)]

    vectors = np.load(tmp_path / "a" / "vectors.f16.npy").astype(np.float32)
    assert vectors.shape == (300, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=2e-3)
    real_vectors = np.load(shared / "data" / gen.VECTORS, mmap_mode="r")
    row_of = {p: i for i, p in enumerate((shared / "data" / gen.VECTOR_IDS).read_text().split())}
    base = np.asarray(real_vectors[[row_of[r["id"]] for r in real]], dtype=np.float32)
    cosines = (vectors * base).sum(axis=1)
    assert 0.88 < cosines.mean() < 0.97 and cosines.max() < 0.999  # near, never a copy


def test_start_and_day_make_an_incremental_day_with_new_ids(gen, shared, tmp_path):
    import datetime as dt

    gen.generate(tmp_path, 50, start=10_000_000, day=dt.date(2026, 7, 2), shared=shared)
    papers = _papers(tmp_path / "papers.jsonl.gz")
    assert papers[0]["id"] == "synth.AB/0000000"
    assert {p["listed"] for p in papers} == {"2026-07-02"}
    assert {p["created"] for p in papers} == {"2026-07-01"}


def test_the_command_names_a_bad_count(gen, shared, capsys):
    with pytest.raises(SystemExit):
        gen.main(["/tmp/unused", "--papers", "0", "--shared", str(shared)])
    assert "--papers must be at least 1, got 0" in capsys.readouterr().err

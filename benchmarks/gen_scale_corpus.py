"""A full-arXiv-sized corpus (default 2.8M papers) made from the shared data, for scale benchmarks.

    nice python benchmarks/gen_scale_corpus.py OUT_DIR [--papers 2800000] [--seed 17]
        [--start 0] [--day YYYY-MM-DD] [--noise 0.02]

writes ``OUT_DIR/papers.jsonl.gz`` (paperfeed's JSON-lines shape, gzip level 1),
``OUT_DIR/vectors.f16.npy`` (float16, N x 384, L2-normalised) and ``OUT_DIR/vectors.ids.txt``
(row i of the array belongs to line i; same order as the papers).

- **Text is real**: the two shared files (``../shared/data/arxiv-cs-*.jsonl.gz``, 221,328 papers)
  are streamed over and over (file after file, line by line) and each generated paper copies one
  real paper's title, abstract, authors, categories and comment. 2.8M papers use each real one
  ~13 times.
- **Ids are new** and can collide neither with arXiv's nor with each other: generated paper number
  ``i`` (``--start`` + position) is ``synth.XX/NNNNNNN`` with ``XX`` = two letters for ``i // 10^7``
  and ``NNNNNNN`` = ``i mod 10^7``. That is an old-style id (``archive.SUBJ/7 digits``, which
  paperfeed parses) of an archive arXiv does not have (``synth``). Distinct ``i`` give distinct ids
  (676 x 10^7 of them), so a later run with ``--start`` past the first one adds new papers.
- **Dates are spread over arXiv's history** like its submissions: a year is drawn with weight
  ``ARXIV_PER_YEAR`` (approximate yearly new submissions read off arXiv's public statistics,
  1991-2026; exponential-ish growth, ~2.9M in all), then a uniform day of it moved back to a
  weekday (listings are on weekdays); ``created`` is the day before ``listed``. ``--day`` puts
  every paper on one listing day instead (an incremental day).
- **Vectors are perturbed real ones**: the shared all-MiniLM-L6-v2 vector of the real paper whose
  text was copied (the 74,728 papers of 2025-2026 have one), else a vector of a random real paper,
  plus Gaussian noise of standard deviation ``--noise`` per dimension, renormalised. With
  ``noise = 0.02`` in 384 dimensions the expected cosine to the base vector is
  ``1 / sqrt(1 + 384 * 0.02^2) = 0.93``: copies of one paper are near each other but not equal,
  so HNSW sees ~221k clusters of ~13 close points, not duplicates.
- **Deterministic** for a given ``--seed``/``--start``/``--papers`` (numpy PCG64) and **streaming**:
  one record and one vector in memory at a time (flat RSS whatever N).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import string
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import orjson

SHARED = Path(
    os.environ.get("PAPERFEED_SHARED", Path(__file__).resolve().parents[1].parent / "shared")
)
SOURCES = ("arxiv-cs-2025-2026.jsonl.gz", "arxiv-cs-1998-2019.jsonl.gz")
VECTORS = "arxiv-cs-2025-2026.all-MiniLM-L6-v2.f16.npy"
VECTOR_IDS = "arxiv-cs-2025-2026.all-MiniLM-L6-v2.ids.txt"
PER_ID_BLOCK = 10**7
LETTERS = string.ascii_uppercase
# Approximate new submissions per year (thousands), arXiv's public statistics; 2026 is half a year.
ARXIV_PER_YEAR = {
    1991: 0.3, 1992: 3.2, 1993: 7.0, 1994: 10.0, 1995: 13.0, 1996: 15.9, 1997: 19.6,
    1998: 24.0, 1999: 28.0, 2000: 30.2, 2001: 33.0, 2002: 36.0, 2003: 39.3, 2004: 43.6,
    2005: 46.0, 2006: 50.0, 2007: 55.6, 2008: 58.9, 2009: 64.0, 2010: 70.1, 2011: 76.6,
    2012: 84.6, 2013: 92.6, 2014: 97.5, 2015: 105.3, 2016: 113.4, 2017: 123.5, 2018: 140.6,
    2019: 155.9, 2020: 178.3, 2021: 181.6, 2022: 185.7, 2023: 208.5, 2024: 240.0, 2025: 280.0,
    2026: 150.0,
}  # fmt: skip
LAST_DAY = dt.date(2026, 7, 1)


def synthetic_id(number: int) -> str:
    """The id of generated paper ``number``: ``synth.XX/NNNNNNN`` (see the module docstring)."""
    block, rest = divmod(number, PER_ID_BLOCK)
    if not 0 <= block < len(LETTERS) ** 2:
        raise ValueError(
            f"paper number {number} is beyond the {len(LETTERS) ** 2 * PER_ID_BLOCK:,} ids"
        )
    return f"synth.{LETTERS[block // 26]}{LETTERS[block % 26]}/{rest:07d}"


def listing_day(rng: np.random.Generator, years: np.ndarray, weights: np.ndarray) -> dt.date:
    """A weekday drawn so that years weigh as arXiv's submissions (never after ``LAST_DAY``)."""
    year = int(rng.choice(years, p=weights))
    first = dt.date(year, 1, 1)
    last = min(dt.date(year, 12, 31), LAST_DAY)
    day = first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))
    while day.weekday() >= 5:  # Saturday/Sunday -> the Friday before (no weekend listings)
        day -= dt.timedelta(days=1)
    return max(day, dt.date(1991, 8, 14))


def real_papers(shared: Path) -> Iterator[dict]:
    """The shared papers, file after file, over and over (each line parsed when needed)."""
    while True:
        for name in SOURCES:
            with gzip.open(shared / "data" / name, "rb") as fh:
                for line in fh:
                    yield orjson.loads(line)


def perturbed(base: np.ndarray, rng: np.random.Generator, noise: float) -> np.ndarray:
    """``base`` plus N(0, noise^2) per dimension, L2-normalised."""
    vector = base.astype(np.float32) + rng.normal(0.0, noise, base.shape).astype(np.float32)
    return vector / np.linalg.norm(vector)


def generate(
    out: Path,
    papers: int,
    *,
    seed: int = 17,
    start: int = 0,
    day: dt.date | None = None,
    noise: float = 0.02,
    shared: Path = SHARED,
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, start])
    years = np.array(sorted(ARXIV_PER_YEAR))
    weights = np.array([ARXIV_PER_YEAR[y] for y in years])
    weights = weights / weights.sum()
    real = np.load(shared / "data" / VECTORS, mmap_mode="r")
    row_of = {
        pid: row for row, pid in enumerate((shared / "data" / VECTOR_IDS).read_text().split())
    }
    source = real_papers(shared)
    with (
        gzip.open(out / "papers.jsonl.gz", "wb", compresslevel=1) as paper_file,
        open(out / "vectors.ids.txt", "w", encoding="utf-8") as id_file,
        open(out / "vectors.f16.npy", "wb") as vector_file,
    ):
        header = {"descr": "<f2", "fortran_order": False, "shape": (papers, real.shape[1])}
        np.lib.format.write_array_header_1_0(vector_file, header)
        for position in range(papers):
            paper = next(source)
            pid = synthetic_id(start + position)
            listed = day or listing_day(rng, years, weights)
            row = row_of.get(paper["id"])
            if row is None:
                row = int(rng.integers(0, real.shape[0]))
            vector_file.write(perturbed(np.asarray(real[row]), rng, noise).astype("<f2").tobytes())
            record = {
                "id": pid,
                "title": paper["title"],
                "abstract": paper["abstract"],
                "authors": paper["authors"],
                "categories": paper["categories"],
                "comment": paper.get("comment"),
                "created": (listed - dt.timedelta(days=1)).isoformat(),
                "listed": listed.isoformat(),
            }
            paper_file.write(orjson.dumps(record) + b"\n")
            id_file.write(pid + "\n")
            if (position + 1) % 100_000 == 0:
                print(f"{position + 1:,} papers", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path, help="directory to write the three files into")
    parser.add_argument("--papers", type=int, default=2_800_000, help="how many (2,800,000)")
    parser.add_argument("--seed", type=int, default=17, help="random seed (17)")
    parser.add_argument(
        "--start", type=int, default=0, help="number of the first paper (ids start there; 0)"
    )
    parser.add_argument(
        "--day", type=dt.date.fromisoformat, default=None, help="one listing day for all papers"
    )
    parser.add_argument("--noise", type=float, default=0.02, help="vector noise per dimension")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared folder")
    args = parser.parse_args(argv)
    if args.papers < 1:
        parser.error(f"--papers must be at least 1, got {args.papers}")
    for name in (*SOURCES, VECTORS, VECTOR_IDS):
        if not (args.shared / "data" / name).is_file():
            parser.error(f"{args.shared / 'data' / name} is missing")
    generate(
        args.out,
        args.papers,
        seed=args.seed,
        start=args.start,
        day=args.day,
        noise=args.noise,
        shared=args.shared,
    )


if __name__ == "__main__":
    main()

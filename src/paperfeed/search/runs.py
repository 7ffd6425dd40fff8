"""Evaluation runs as files and per query: exclude-self, TREC run files, per-query metrics.

Reusable by every ``paperfeed eval`` benchmark (BEIR, known items): each works on plain
rankings, ``{query id: [(document id, score), ...]}`` best first.

- :func:`without_self` drops the query's own document from its ranking, for query-by-example
  evaluation (a paper's abstract as the query: the paper itself would otherwise be rank 1 and
  tell nothing). A query's own document is the one whose id equals the query id.
- :func:`write_run` / :func:`read_run`: the TREC run format read by ``trec_eval`` and
  ``ranx``/``ir_measures`` (Voorhees & Harman, *TREC*, 2005, appendix): one line per retrieved
  document, ``qid Q0 docid rank score tag``, separated by white space, ranks from 1. Scores are
  written with Python's shortest round-trip repr, so reading a file back gives the same floats.
  ``trec_eval`` orders a query's documents by score (not by the rank column), so a mode whose
  scores tie may be re-ordered by it among the tied documents.
- :func:`per_query` / :func:`write_per_query`: one JSON line per query, its metrics per mode.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

Ranking = Sequence[tuple[str, float]]
"""One query's ranking: (document id, score) pairs, best first."""


class RunFileError(ValueError):
    """A run file line that is not ``qid Q0 docid rank score tag``; the message names the line."""


@dataclass(frozen=True)
class RunLine:
    query: str
    doc: str
    rank: int
    score: float
    tag: str


# --------------------------------------------------------------------------- exclude-self


def is_self(query_id: str, doc_id: str) -> bool:
    """Whether ``doc_id`` is the query's own document: the one whose id is the query's."""
    return doc_id == query_id


def without_self(query_id: str, ranking: Iterable[tuple[str, float]]) -> list[tuple[str, float]]:
    """``ranking`` without the query's own document (:func:`is_self`)."""
    return [(doc, score) for doc, score in ranking if not is_self(query_id, doc)]


# --------------------------------------------------------------------------- TREC run files


def _check_token(what: str, value: str, query: str) -> str:
    if not value or any(c.isspace() for c in value):
        raise RunFileError(
            f"query {query!r}: the {what} {value!r} cannot be written to a TREC run file "
            "(empty or contains white space)"
        )
    return value


def run_lines(rankings: Mapping[str, Ranking], tag: str) -> Iterable[str]:
    """The run file's lines (without newlines): each query's documents in ranking order."""
    _check_token("tag", tag, "")
    for query, ranking in rankings.items():
        _check_token("query id", query, query)
        for rank, (doc, score) in enumerate(ranking, start=1):
            _check_token("document id", doc, query)
            if not math.isfinite(score):
                raise RunFileError(
                    f"query {query!r}, document {doc!r}: score {score} is not finite"
                )
            yield f"{query} Q0 {doc} {rank} {float(score)!r} {tag}"


def write_run(stream: IO[str], rankings: Mapping[str, Ranking], tag: str) -> int:
    """Write ``rankings`` as a TREC run; returns the number of lines written."""
    count = 0
    for line in run_lines(rankings, tag):
        stream.write(line + "\n")
        count += 1
    return count


def read_run(stream: IO[str], name: str = "<run>") -> dict[str, list[RunLine]]:
    """A TREC run file's lines grouped by query, in file order; :class:`RunFileError` naming
    ``name:line`` for a line that does not have six fields, an integer rank >= 1 and a finite
    score."""
    runs: dict[str, list[RunLine]] = {}
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        fields = raw.split()
        if len(fields) != 6:
            raise RunFileError(
                f"{name}:{number}: expected 6 fields (qid Q0 docid rank score tag), "
                f"got {len(fields)}"
            )
        query, _, doc, rank, score, tag = fields
        try:
            rank_n = int(rank)
        except ValueError:
            raise RunFileError(f"{name}:{number}: rank {rank!r} is not an integer") from None
        if rank_n < 1:
            raise RunFileError(f"{name}:{number}: rank {rank_n} is below 1")
        try:
            score_f = float(score)
        except ValueError:
            raise RunFileError(f"{name}:{number}: score {score!r} is not a number") from None
        if not math.isfinite(score_f):
            raise RunFileError(f"{name}:{number}: score {score!r} is not finite")
        runs.setdefault(query, []).append(RunLine(query, doc, rank_n, score_f, tag))
    return runs


def write_runs(prefix: Path, rankings_by_mode: Mapping[str, Mapping[str, Ranking]]) -> list[Path]:
    """One run file per mode, ``PREFIX.MODE.run``, tagged ``paperfeed-MODE``; the paths."""
    prefix = Path(prefix)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for mode, rankings in rankings_by_mode.items():
        path = prefix.with_name(f"{prefix.name}.{mode}.run")
        with path.open("w", encoding="utf-8") as fh:
            write_run(fh, rankings, f"paperfeed-{mode}")
        written.append(path)
    return written


# --------------------------------------------------------------------------- per query


Metric = Callable[[Sequence[str], Mapping[str, float]], float]


def per_query(
    rankings_by_mode: Mapping[str, Mapping[str, Sequence[str]]],
    qrels: Mapping[str, Mapping[str, float]],
    metrics: Mapping[str, Metric],
) -> list[dict]:
    """For each judged query (in ``qrels`` order): ``{"query": id, MODE: {METRIC: value}}``; a
    mode with no ranking for the query scores as an empty ranking."""
    rows = []
    for query, relevant in qrels.items():
        row: dict = {"query": query}
        for mode, rankings in rankings_by_mode.items():
            ranked = list(rankings.get(query, ()))
            row[mode] = {name: f(ranked, relevant) for name, f in metrics.items()}
        rows.append(row)
    return rows


def write_per_query(path: Path, rows: Iterable[dict]) -> int:
    """``rows`` as JSON Lines at ``path``; returns how many."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count

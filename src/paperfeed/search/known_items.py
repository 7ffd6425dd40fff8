"""Known-item evaluation: does search put the one paper a person has in mind in the top 10?

A known-item set is a JSON Lines file, one query a line::

    {"query": "segment anything robust uncertainty", "target": "2605.10603", "kind": "title"}

``kind`` (optional, default ``other``) groups the queries: the set in
``benchmarks/known_items.jsonl`` has ``description``, ``keywords``, ``title`` (a title fragment)
and ``author`` (a surname and topic words).  :func:`run_known_items` runs every query through the
app's own :func:`paperfeed.search.search` — so against the ``PAPERFEED_HOME`` in use, its
database and indexes — in each mode, and scores the rankings with MRR@10 (Voorhees 1999: the
mean of 1 / rank of the target, 0 past 10) and hit@10 (the share of queries whose target is in
the top 10), per mode and per kind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from paperfeed.search.evaluate import jsonl_objects, mrr_at_k
from paperfeed.search.query import as_arxiv_id

MODES = ("lexical", "semantic", "hybrid")
K = 10
ALL = "all"


class KnownItemError(Exception):
    """The file is not a readable known-item set; the message names the file and line."""


@dataclass(frozen=True)
class KnownItem:
    query: str
    target: str
    kind: str = "other"


def load_known_items(path: Path) -> list[KnownItem]:
    """The queries of a known-item JSONL file; :class:`KnownItemError` names a bad line."""
    items = []
    for number, row in jsonl_objects(path, KnownItemError):
        query, target, kind = row.get("query"), row.get("target"), row.get("kind", "other")
        if not isinstance(query, str) or not query.strip():
            raise KnownItemError(f"{path}:{number}: query must be a non-empty string")
        if not isinstance(target, str) or as_arxiv_id(target) is None:
            raise KnownItemError(f"{path}:{number}: target {target!r} is not an arXiv id")
        if not isinstance(kind, str) or not kind.strip():
            raise KnownItemError(f"{path}:{number}: kind must be a non-empty string")
        items.append(KnownItem(query, as_arxiv_id(target), kind.strip()))
    if not items:
        raise KnownItemError(f"{path}: no queries")
    return items


def hit_at_k(ranked: Sequence[str], target: str, k: int = K) -> float:
    """1 when ``target`` is among the first ``k`` ids, else 0; averaged it is hit@k."""
    return 1.0 if target in ranked[:k] else 0.0


@dataclass
class KnownItemRun:
    """``ranks[mode][i]``: the target's rank (1-based) for query i, None past the top 10;
    ``metrics[mode][kind]``: ``{"MRR@10", "hit@10", "queries"}``, kind ``all`` over every query."""

    items: list[KnownItem]
    ranks: dict[str, list[int | None]] = field(default_factory=dict)
    metrics: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    ran: dict[str, set[str]] = field(default_factory=dict)


def score(items: Sequence[KnownItem], rankings: Sequence[Sequence[str]]) -> dict[str, dict]:
    """MRR@10 and hit@10 per kind (and ``all``) of one mode's rankings (one per item)."""
    kinds = [ALL, *dict.fromkeys(item.kind for item in items)]
    out = {}
    for kind in kinds:
        chosen = [
            (item, ranked)
            for item, ranked in zip(items, rankings, strict=True)
            if kind == ALL or item.kind == kind
        ]
        n = len(chosen)
        out[kind] = {
            "MRR@10": sum(mrr_at_k(r, {i.target: 1.0}, K) for i, r in chosen) / n,
            "hit@10": sum(hit_at_k(r, i.target) for i, r in chosen) / n,
            "queries": n,
        }
    return out


def run_known_items(
    items: Sequence[KnownItem],
    *,
    modes: Sequence[str] = MODES,
    search: Callable | None = None,
) -> KnownItemRun:
    """Every query in every mode through ``search`` (default :func:`paperfeed.search.search`)."""
    if search is None:
        from paperfeed.search.hybrid import search
    run = KnownItemRun(list(items))
    for mode in modes:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        rankings, ran = [], set()
        for item in items:
            result = search(item.query, mode=mode, limit=K)
            ran.add(result.mode)
            rankings.append([hit.id for hit in result.hits])
        run.ranks[mode] = [
            ranked.index(item.target) + 1 if item.target in ranked else None
            for item, ranked in zip(items, rankings, strict=True)
        ]
        run.metrics[mode] = score(items, rankings)
        run.ran[mode] = ran
    return run


def table(run: KnownItemRun) -> list[str]:
    """The metrics as text lines: one row per kind, MRR@10 and hit@10 for each mode."""
    modes = list(run.metrics)
    kinds = list(next(iter(run.metrics.values()))) if modes else []
    head = f"{'kind':12s} {'n':>3s}" + "".join(f" {m + ' MRR':>13s} {'hit@10':>7s}" for m in modes)
    lines = [head]
    for kind in kinds:
        n = int(run.metrics[modes[0]][kind]["queries"])
        row = f"{kind:12s} {n:3d}"
        for mode in modes:
            m = run.metrics[mode][kind]
            row += f" {m['MRR@10']:13.3f} {m['hit@10']:7.3f}"
        lines.append(row)
    return lines

"""What :mod:`paperfeed.digests.content` reads from the database for one period, in batches.

Every loader takes many subscribers at once and runs a handful of queries per :data:`SQL_CHUNK`
of them (the IN lists stay under SQLite's variable limit): the period's papers with their
vectors and trending order, each subscriber's liked and disliked papers, papers already mailed,
saved searches and their hits, and the fixed background sample the profiles are trained against.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from paperfeed import rankings
from paperfeed.community.models import Vote
from paperfeed.digests.models import Feedback, MailedPaper, SavedSearch, Subscriber
from paperfeed.papers.models import Paper
from paperfeed.search import SEMANTIC_FLOOR, IndexMissing, search
from paperfeed.search.embedding_job import current_model
from paperfeed.search.models import VECTOR_DTYPE, Embedding

log = logging.getLogger(__name__)

ALERT_FETCH = 40
"""Hits asked of each alert search: enough to fill ``content.ALERT_N`` without mailed papers."""
ALERT_MIN_COSINE = SEMANTIC_FLOOR
COLD_START_SEEDS = 10
"""Papers before the period that each saved search matches: the cold-start profile's likes."""
UPVOTED = "you upvoted"
MORE_LIKE_THIS = "you wanted more of"
MAX_LIKED = 200
"""Most recent liked papers a profile is trained on."""
BACKGROUND_SIZE = 400
BACKGROUND_SEED = 20_251_127
SQL_CHUNK = 900
TRENDING = rankings.get("trending", surface="digests")
"""The order of the Trending section (its inputs: upvotes, feed day, submission time)."""


@dataclass
class Signals:
    """One subscriber's liked and disliked paper ids, with how each was liked."""

    liked: dict[str, str] = field(default_factory=dict)  # paper id -> how: "you upvoted", ...
    disliked: set[str] = field(default_factory=set)


@dataclass
class PeriodPapers:
    """The papers of a period, their vectors and trending order."""

    ids: list[str]
    categories: list[set[str]]
    vectors: np.ndarray  # (n, d) float32, zero rows where a paper has no vector
    has_vector: np.ndarray  # (n,) bool
    trending: np.ndarray  # (n,) float32: higher ranks first in trending order
    upvotes: np.ndarray  # (n,) int

    @property
    def index(self) -> dict[str, int]:
        return {pid: i for i, pid in enumerate(self.ids)}


def chunks(items: Sequence, size: int = SQL_CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def period_days(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
    """First and last feed day of the period ``[start, end)``: the UTC dates ``d`` with
    ``start.date() <= d < end.date()`` (the last is before the first when there is none)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("period start and end must be timezone-aware datetimes")
    if end <= start:
        raise ValueError(f"period end {end.isoformat()} is not after its start {start.isoformat()}")
    first = start.astimezone(dt.UTC).date()
    last = end.astimezone(dt.UTC).date() - dt.timedelta(days=1)
    return first, last


def _decode(blob: bytes | memoryview, dim: int) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype=VECTOR_DTYPE, count=dim)


def load_period(first: dt.date, last: dt.date, now: dt.datetime) -> PeriodPapers:
    """The visible papers listed from ``first`` to ``last`` with their vectors (of the current
    model) and trending order at ``now``."""
    rows = list(
        Paper.objects.visible()
        .filter(feed_day__gte=first, feed_day__lte=last)
        .order_by("-feed_day", "arxiv_id")
        .values_list("arxiv_id", "upvotes", "feed_day", "submission__created", "categories")
    )
    ids = [r[0] for r in rows]
    period_rows = [rankings.Row(r[0], upvotes=r[1], feed_day=r[2], submitted_at=r[3]) for r in rows]
    order = [pid for pid, _ in TRENDING.rank(period_rows, now)]
    position = {pid: i for i, pid in enumerate(order)}
    trending = np.array([-position[pid] for pid in ids], dtype=np.float32)
    vector_rows = (
        Embedding.objects.of_model(current_model())
        .filter(paper__feed_day__gte=first, paper__feed_day__lte=last)
        .values_list("paper_id", "vector", "dim")
    )
    index = {pid: i for i, pid in enumerate(ids)}
    found = [(index[pid], _decode(blob, dim)) for pid, blob, dim in vector_rows if pid in index]
    dim = found[0][1].shape[0] if found else 0
    vectors = np.zeros((len(ids), dim), dtype=np.float32)
    has_vector = np.zeros(len(ids), dtype=bool)
    for row, vector in found:
        vectors[row] = vector
        has_vector[row] = True
    return PeriodPapers(
        ids=ids,
        categories=[set(r[4].split()) for r in rows],
        vectors=vectors,
        has_vector=has_vector,
        trending=trending,
        upvotes=np.array([r[1] for r in rows], dtype=np.int64),
    )


def load_vectors(paper_ids: Iterable[str]) -> dict[str, np.ndarray]:
    """Vectors (current model) of ``paper_ids``, as float32; papers without one are left out."""
    ids = sorted(set(paper_ids))
    found: dict[str, np.ndarray] = {}
    model = current_model()
    for chunk in chunks(ids):
        rows = Embedding.objects.of_model(model).filter(paper_id__in=chunk)
        for pid, blob, dim in rows.values_list("paper_id", "vector", "dim"):
            found[pid] = _decode(blob, dim).astype(np.float32)
    return found


def load_background(size: int = BACKGROUND_SIZE, seed: int = BACKGROUND_SEED) -> np.ndarray:
    """A fixed random sample of stored vectors: the negatives every profile is trained against
    (the same for every subscriber, which is what lets :func:`recommend.ridge_batch` share one
    inverse; as arxiv-sanity-lite, unseen papers stand for "not interested")."""
    keys = np.array(
        Embedding.objects.of_model(current_model()).order_by("id").values_list("id", flat=True)
    )
    if keys.size == 0:
        return np.zeros((0, 0), dtype=np.float32)
    chosen = np.sort(np.random.default_rng(seed).choice(keys, min(size, keys.size), replace=False))
    vectors = []
    for chunk in chunks(chosen.tolist()):
        rows = Embedding.objects.filter(id__in=chunk).values_list("vector", "dim")
        vectors.extend(_decode(blob, dim) for blob, dim in rows)
    return np.vstack(vectors).astype(np.float32)


def load_signals(subscribers: Sequence[Subscriber]) -> dict[int, Signals]:
    """Liked / disliked papers of each subscriber: the account's upvotes (the most recent
    :data:`MAX_LIKED`) and feedback given as the subscriber or as the account."""
    signals = {s.pk: Signals() for s in subscribers}
    by_user = defaultdict(list)
    for s in subscribers:
        if s.user_id is not None:
            by_user[s.user_id].append(s.pk)
    user_ids = sorted(by_user)
    votes: list[tuple[int, str, dt.datetime]] = []
    feedback: list[tuple[int | None, int | None, str, int, dt.datetime]] = []
    for chunk in chunks(user_ids):
        votes += Vote.objects.filter(user_id__in=chunk).values_list(
            "user_id", "paper_id", "created"
        )
        feedback += Feedback.objects.filter(user_id__in=chunk).values_list(
            "subscriber_id", "user_id", "paper_id", "signal", "created"
        )
    for chunk in chunks([s.pk for s in subscribers]):
        feedback += Feedback.objects.filter(subscriber_id__in=chunk).values_list(
            "subscriber_id", "user_id", "paper_id", "signal", "created"
        )
    votes.sort(key=lambda row: row[2], reverse=True)
    for user_id, paper_id, _ in votes:
        for pk in by_user[user_id]:
            if len(signals[pk].liked) < MAX_LIKED:
                signals[pk].liked[paper_id] = UPVOTED
    feedback.sort(key=lambda row: row[4])  # the latest signal for a paper wins
    for subscriber_id, user_id, paper_id, signal, _ in feedback:
        owners = set(by_user.get(user_id, ())) if user_id is not None else set()
        if subscriber_id in signals:
            owners.add(subscriber_id)
        for pk in owners:
            if signal > 0:
                signals[pk].disliked.discard(paper_id)
                signals[pk].liked[paper_id] = MORE_LIKE_THIS
            else:
                signals[pk].liked.pop(paper_id, None)
                signals[pk].disliked.add(paper_id)
    return signals


def load_mailed(subscribers: Sequence[Subscriber], first: dt.date, last: dt.date) -> dict:
    """For each subscriber, the ids of the period's papers already mailed to them."""
    mailed: dict[int, set[str]] = defaultdict(set)
    for chunk in chunks([s.pk for s in subscribers]):
        rows = MailedPaper.objects.filter(
            subscriber_id__in=chunk, paper__feed_day__gte=first, paper__feed_day__lte=last
        ).values_list("subscriber_id", "paper_id")
        for subscriber_id, paper_id in rows:
            mailed[subscriber_id].add(paper_id)
    return mailed


def alert_hits(queries: Iterable[str], first: dt.date, last: dt.date) -> dict[str, list]:
    """Each distinct query's hits in the period, best first (empty when no index exists): those
    that contain query terms or are semantically close (cosine >= :data:`ALERT_MIN_COSINE`, the
    floor hybrid search applies when it sorts by date), not the far tail of the meaning side."""
    found: dict[str, list] = {}
    for query in sorted(set(queries)):
        try:
            hits = search(query, limit=ALERT_FETCH, since=first, until=last).hits
        except IndexMissing:
            log.warning("no search index: alert %r skipped (run paperfeed index)", query)
            found[query] = []
            continue
        found[query] = [h for h in hits if h.terms or (h.similarity or 0.0) >= ALERT_MIN_COSINE]
    return found


def add_cold_start(
    subscribers: Sequence[Subscriber],
    signals: dict[int, Signals],
    searches: dict[int, list[str]],
    first: dt.date,
) -> None:
    """Cold start from keywords: a subscriber who wants recommendations but has liked nothing
    gets, as stand-in likes, the :data:`COLD_START_SEEDS` best matches of each saved search among
    the papers before the period (each distinct query searched once)."""
    cold = [s for s in subscribers if s.recommendations and not signals[s.pk].liked]
    queries = {q for s in cold for q in searches.get(s.pk, ())}
    if not queries:
        return
    before = first - dt.timedelta(days=1)
    seeds: dict[str, list[str]] = {}
    for query in sorted(queries):
        try:
            hits = search(query, limit=COLD_START_SEEDS, until=before).hits
        except IndexMissing:
            return
        seeds[query] = [h.id for h in hits if h.terms or (h.similarity or 0) >= ALERT_MIN_COSINE]
    for s in cold:
        for query in searches.get(s.pk, ()):
            for pid in seeds[query]:
                signals[s.pk].liked.setdefault(pid, f'matches your alert "{query}"')


def saved_searches(subscribers: Sequence[Subscriber]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for chunk in chunks([s.pk for s in subscribers]):
        rows = SavedSearch.objects.filter(subscriber_id__in=chunk).order_by("created", "pk")
        for subscriber_id, query in rows.values_list("subscriber_id", "query"):
            found[subscriber_id].append(query)
    return found


def titles(ids: Iterable[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in chunks(sorted(set(ids))):
        found.update(Paper.objects.filter(arxiv_id__in=chunk).values_list("arxiv_id", "title"))
    return found


def papers_by_id(ids: Iterable[str]) -> dict[str, Paper]:
    found: dict[str, Paper] = {}
    for chunk in chunks(sorted(set(ids))):
        found.update((p.pk, p) for p in Paper.objects.filter(arxiv_id__in=chunk))
    return found

"""The for-you order of one member: the database side of :mod:`paperfeed.personal.relevance`.

:func:`order_papers` is the one call the lists, search and the API make: it scores the rows a
list already gathered (their community inputs: upvotes, HF upvotes, stars, citations, feed day)
for one member and says why each paper is where it is. It reads, for that member:

- **liked and disliked papers**: their upvotes (the latest :data:`gather.MAX_LIKED`) and their
  "more like this" / "less like this" feedback (onboarding's marked papers are "more like this";
  the latest signal for a paper wins, as in the digests' :func:`gather.load_signals`);
- **follows** (:class:`~paperfeed.personal.models.Follow`): authors (by ``Author`` id),
  categories (``cs`` follows every ``cs.*``), organisations (``PaperSignals.org_name``) and
  searches -- the typed topics of onboarding are search follows too;
- **vectors** of the candidates and of the liked/disliked papers (one query), the query vector of
  each followed search (:func:`paperfeed.search.hybrid.embed_query`, the encoder search uses,
  cached per process; without a model the topics only match lexically), and the background
  sample every ridge profile is trained against, kept per process with its shared inverse
  (:func:`shared_ridge`) until the embedding model or the newest stored vector changes.

"Matches your saved search" is lexical and computed in Python on the candidates' titles and
abstracts (already a few hundred rows): every term of the query, stop words out, is a word of
the paper (:func:`relevance.matches_terms`); no search index is needed. Mutes are applied by the
caller (the lists hide muted papers before ranking).

A 300-paper day costs 5-8 queries (a week of ~1,000 papers 12: the ``IN`` lists go by
:data:`gather.SQL_CHUNK`) and is ordered in a warm process in 16-27 ms p50, at most 31 ms p95,
for a member with 30 upvotes and 8 follows on SQLite or PostgreSQL; with 200 upvotes and 40
follows, 29-37 ms p50. numpy's default of one BLAS thread per core makes it several times slower
on busy cores (``benchmarks/bench_foryou_order.py``, docs/benchmarks.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from paperfeed import rankings
from paperfeed.community.models import Vote
from paperfeed.digests import gather, recommend
from paperfeed.digests.models import Feedback
from paperfeed.papers.models import Authorship, Paper
from paperfeed.personal import relevance
from paperfeed.personal.models import Follow
from paperfeed.search.embedding_job import current_model
from paperfeed.search.models import Embedding
from paperfeed.signals.models import PaperSignals

log = logging.getLogger(__name__)

HOT = rankings.get("hot")
"""The community score the personal one is blended with (percentile: see relevance)."""
STRONG_SIGNALS = 3
"""A profile is strong (for-you becomes the default order) with at least this many signals --
liked papers and follows of any kind -- of which at least one is more than a category (a liked
paper, a topic or saved search, an author or organisation): following cs.LG alone only brings
cs.LG first, which the category's own page does better."""
MAX_REASONS = 3
POPULAR = 0.9
"""A paper is "popular now" when its Hot score beats 90% of the other candidates."""
UPVOTED = "upvoted"
MARKED = "marked"


@dataclass
class PersonalOrder:
    """The for-you score of each paper (higher first) and the reasons, most telling first."""

    scores: dict[str, float] = field(default_factory=dict)
    why: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Member:
    """What :func:`order_papers` knows of one member (loaded by :func:`load_member`)."""

    liked: dict[str, str] = field(default_factory=dict)  # paper id -> UPVOTED / MARKED
    disliked: set[str] = field(default_factory=set)
    authors: dict[int, str] = field(default_factory=dict)  # Author id -> label
    categories: list[str] = field(default_factory=list)
    orgs: dict[str, str] = field(default_factory=dict)  # org_name -> label
    searches: list[str] = field(default_factory=list)

    @property
    def signals(self) -> int:
        return len(self.liked) + self.follows

    @property
    def follows(self) -> int:
        return len(self.authors) + len(self.categories) + len(self.orgs) + len(self.searches)

    @property
    def beyond_categories(self) -> bool:
        return bool(self.liked or self.authors or self.orgs or self.searches)


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def load_member(user) -> Member:
    """The member's liked / disliked papers and follows (three queries; none for anonymous)."""
    member = Member()
    if not _signed_in(user):
        return member
    votes = Vote.objects.filter(user=user).order_by("-created", "-pk")[: gather.MAX_LIKED]
    for paper_id in votes.values_list("paper_id", flat=True):
        member.liked[paper_id] = UPVOTED
    feedback = Feedback.objects.filter(user=user).order_by("created", "pk")
    for paper_id, signal in feedback.values_list("paper_id", "signal"):
        if signal > 0:
            member.disliked.discard(paper_id)
            member.liked[paper_id] = MARKED if member.liked.get(paper_id) != UPVOTED else UPVOTED
        else:
            member.liked.pop(paper_id, None)
            member.disliked.add(paper_id)
    for kind, value, label in Follow.objects.filter(user=user).values_list(
        "kind", "value", "label"
    ):
        if kind == Follow.AUTHOR and value.isdigit():
            member.authors[int(value)] = label or value
        elif kind == Follow.CATEGORY:
            member.categories.append(value)
        elif kind == Follow.ORG:
            member.orgs[value] = label or value
        elif kind == Follow.SEARCH:
            member.searches.append(value)
    return member


def has_profile(user) -> bool:
    """Whether there is anything to personalise with: a liked paper (upvote, "more like this",
    onboarding mark) or a follow of any kind."""
    if not _signed_in(user):
        return False
    return (
        Follow.objects.filter(user=user).exists()
        or Vote.objects.filter(user=user).exists()
        or Feedback.objects.filter(user=user, signal__gt=0).exists()
    )


def is_strong(user) -> bool:
    """Whether the profile is strong enough for for-you to be the default order: see
    :data:`STRONG_SIGNALS`."""
    if not _signed_in(user):
        return False
    member = load_member(user)
    return member.signals >= STRONG_SIGNALS and member.beyond_categories


# --------------------------------------------------------------------------- per-process cache


@dataclass(frozen=True)
class SharedRidge:
    """The background sample of one embedding model and its ridge inverse."""

    key: tuple
    base: recommend.RidgeBase | None  # None: no vectors stored yet


_shared: SharedRidge | None = None
_shared_lock = threading.Lock()


def shared_ridge() -> recommend.RidgeBase | None:
    """The :class:`recommend.RidgeBase` of the background sample (:func:`gather.load_background`)
    for the current model, computed once per process and again only when the model or the newest
    stored vector (the largest ``Embedding`` id: re-embedding makes new ids) changes. One indexed
    query per call."""
    global _shared
    newest = Embedding.objects.order_by("-id").values_list("id", flat=True).first()
    key = (current_model(), newest)
    shared = _shared
    if shared is not None and shared.key == key:
        return shared.base
    with _shared_lock:
        if _shared is None or _shared.key != key:
            background = gather.load_background()
            base = recommend.ridge_base(background) if background.shape[0] else None
            _shared = SharedRidge(key, base)
        return _shared.base


def forget_shared() -> None:
    """Drop the per-process cache (tests that swap the embedding model call it)."""
    global _shared
    with _shared_lock:
        _shared = None


def _topic_vectors(queries: Sequence[str]) -> tuple[list[str], np.ndarray | None]:
    """The queries that have a vector and their vectors (rows); None when none could be had."""
    from paperfeed.search.hybrid import embed_query, semantic_text
    from paperfeed.search.query import parse

    kept, vectors = [], []
    for query in queries:
        text = semantic_text(parse(query))
        vector = embed_query(text) if text else None
        if vector is not None:
            kept.append(query)
            vectors.append(vector)
    if not vectors:
        return [], None
    return kept, np.vstack(vectors).astype(np.float32)


# --------------------------------------------------------------------------- the order


def _category_matches(categories: list[set[str]], followed: list[str]) -> list[list[str]]:
    """For each paper, the followed categories it is listed in (``cs`` follows ``cs.*``)."""
    found = []
    for listed in categories:
        found.append([f for f in followed if any(c == f or c.startswith(f + ".") for c in listed)])
    return found


def _papers(ids: list[str], with_text: bool) -> dict[str, tuple[str, str, str]]:
    """(categories, title, abstract) of ``ids`` (the text only when asked: it is the bulk)."""
    fields = (
        ("arxiv_id", "categories", "title", "abstract") if with_text else ("arxiv_id", "categories")
    )
    found = {}
    for chunk in gather.chunks(ids):
        for row in Paper.objects.filter(arxiv_id__in=chunk).values_list(*fields):
            found[row[0]] = (row[1], *(row[2:] if with_text else ("", "")))
    return found


def _author_matches(ids: list[str], authors: dict[int, str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for chunk in gather.chunks(ids):
        rows = Authorship.objects.filter(paper_id__in=chunk, author_id__in=list(authors))
        for paper_id, author_id in rows.order_by("position").values_list("paper_id", "author_id"):
            found[paper_id].append(authors[author_id])
    return found


def _org_matches(ids: list[str], orgs: dict[str, str]) -> dict[str, str]:
    found = {}
    for chunk in gather.chunks(ids):
        rows = PaperSignals.objects.filter(paper_id__in=chunk, org_name__in=list(orgs))
        for paper_id, org in rows.values_list("paper_id", "org_name"):
            found[paper_id] = orgs[org]
    return found


def _liked_phrase(count: int, hows: set[str]) -> str:
    how = "you upvoted" if hows == {UPVOTED} else "you marked" if hows == {MARKED} else "you liked"
    if count == 1:
        return f"like a paper {how}"
    return f"like {count} papers {how}"


def _stack(ids: Sequence[str], vectors: dict[str, np.ndarray], dim: int) -> np.ndarray:
    """The vectors of ``ids`` as rows of an (n, dim) array (n may be 0)."""
    if not ids:
        return np.zeros((0, dim), dtype=np.float32)
    return np.vstack([vectors[pid] for pid in ids]).astype(np.float32)


def order_papers(user, rows: Sequence[rankings.Row], now: dt.datetime) -> PersonalOrder:
    """The for-you scores of ``rows`` for ``user`` (see the module): higher first, with the
    reasons of each paper, most telling first (at most :data:`MAX_REASONS`). Without a profile
    (or signed out) the score is the community part alone."""
    ids = [row.id for row in rows]
    if not ids:
        return PersonalOrder()
    n = len(ids)
    community = np.array([HOT.score(row, now) for row in rows], dtype=np.float64)
    member = load_member(user)

    vectors = gather.load_vectors([*ids, *member.liked, *member.disliked]) if member.signals else {}
    dim = next(iter(vectors.values())).shape[0] if vectors else 0
    has_vector = np.array([pid in vectors for pid in ids], dtype=bool)
    candidates = np.zeros((n, dim), dtype=np.float32)
    for i, pid in enumerate(ids):
        if has_vector[i]:
            candidates[i] = vectors[pid]

    like = topic = None
    liked_ids = [pid for pid in member.liked if pid in vectors]
    liked = _stack(liked_ids, vectors, dim)
    counts = near = None
    if liked_ids and dim:
        disliked = _stack([p for p in member.disliked if p in vectors], vectors, dim)
        base = shared_ridge()
        if base is not None and base.dim == dim:
            like = relevance.like_scores(candidates, liked, disliked, base)
        else:
            like = candidates @ recommend.centroid_profile(liked, disliked)
        counts, near = relevance.similar_counts(candidates, liked)

    topic_queries, topic_vectors = ([], None)
    if member.searches and dim:
        topic_queries, topic_vectors = _topic_vectors(member.searches)
        if topic_vectors is not None and topic_vectors.shape[1] == dim:
            topic, which_topic = relevance.topic_scores(candidates, topic_vectors)
        else:
            topic_vectors = None

    papers = (
        _papers(ids, with_text=bool(member.searches))
        if member.categories or member.searches
        else {}
    )
    category_hits = _category_matches(
        [set(papers.get(pid, ("", "", ""))[0].split()) for pid in ids], member.categories
    )
    author_hits = _author_matches(ids, member.authors) if member.authors else {}
    org_hits = _org_matches(ids, member.orgs) if member.orgs else {}
    search_hits: list[list[str]] = [[] for _ in ids]
    if member.searches:
        terms = [(q, relevance.query_terms(q)) for q in member.searches]
        for i, pid in enumerate(ids):
            _, title, abstract = papers.get(pid, ("", "", ""))
            search_hits[i] = relevance.matching_queries(f"{title} {abstract}", terms)

    blend = relevance.blend(
        n=n,
        community=community,
        like=like,
        liked=len(liked_ids),
        topic=topic,
        has_vector=has_vector,
        author=np.array([pid in author_hits for pid in ids]) if member.authors else None,
        org=np.array([pid in org_hits for pid in ids]) if member.orgs else None,
        category=np.array([bool(h) for h in category_hits]) if member.categories else None,
        search=np.array([bool(h) for h in search_hits]) if member.searches else None,
    )
    popular = relevance.percentile(community) >= POPULAR

    order = PersonalOrder()
    for i, pid in enumerate(ids):
        order.scores[pid] = float(blend.total[i])
        reasons: list[str] = []
        for part in relevance.telling(blend, i):
            if part == "author":
                reasons += [f"you follow {name}" for name in author_hits[pid]]
            elif part == "org":
                reasons.append(f"you follow {org_hits[pid]}")
            elif part == "category":
                reasons += [f"you follow {c}" for c in category_hits[i]]
            elif part == "search":
                reasons += [f'matches your saved search "{q}"' for q in search_hits[i]]
            elif part == "topic" and topic_vectors is not None:
                query = topic_queries[int(which_topic[i])]
                if topic[i] >= relevance.TOPIC_COSINE and query not in search_hits[i]:
                    reasons.append(f'close to your topic "{query}"')
            elif part == "like" and counts is not None and counts[i]:
                hows = {member.liked[liked_ids[j]] for j in np.flatnonzero(near[i])}
                reasons.append(_liked_phrase(int(counts[i]), hows))
            elif part == "community" and popular[i]:
                reasons.append("popular now")
        if not reasons and popular[i]:
            reasons.append("popular now")
        order.why[pid] = list(dict.fromkeys(reasons))[:MAX_REASONS]
    return order

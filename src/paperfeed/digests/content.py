"""What goes into each subscriber's digest: alerts, recommendations, categories, trending.

:func:`build_all` builds the digests of many subscribers for one period at once and
:func:`build_digest` is the same thing for one. The period's papers are those whose feed day (the
arXiv listing day, UTC) falls in ``[start.date(), end.date())`` in UTC: periods tile time, so each
listing day belongs to exactly one period. Sections, in the order shown and deduplicated in that
order (a paper appears once per digest):

1. one per saved search, "Alert: QUERY": :func:`paperfeed.search.hybrid.search` over the period
   (each distinct query is searched once for the whole batch);
2. "Recommended for you" (``subscriber.recommendations`` and at least one liked paper): the
   per-user ridge classifier of :mod:`paperfeed.digests.recommend` (the default chosen by
   ``benchmarks/bench_recommend.py``), trained on the subscriber's liked papers against a fixed
   background sample of the store, every profile scored with one matrix product;
3. "New in CATEGORIES" (subscribers who chose categories): the period's papers in those
   categories, by the personal score when there is one, else in trending order -- the cold start;
4. "Trending" (``top_n`` > 0): the period's papers by the ``trending`` ranking (:mod:`paperfeed.rankings`).

Liked papers are the account's upvotes (paperfeed has no separate "saved" list: an upvote stands
for a save) and "more like this" feedback -- or, for a subscriber with neither (cold start), the
best earlier matches of their saved searches (:func:`paperfeed.digests.gather.add_cold_start`); disliked papers are "less like this" feedback, which
also overrides an upvote of the same paper. Papers already mailed to the subscriber
(:class:`MailedPaper`), liked or disliked are never included, nor those the account muted or, when
its ``Preferences.seen`` is "hide", has seen (:func:`paperfeed.personal.seen.hidden_by_user`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from paperfeed.digests import gather, recommend, schedule
from paperfeed.digests.compose import Digest, DigestItem, Section
from paperfeed.digests.gather import PeriodPapers, Signals
from paperfeed.digests.models import Subscriber
from paperfeed.papers.models import Paper
from paperfeed.personal import filters, seen

RECOMMENDED_N = 10
CATEGORY_N = 10
ALERT_N = 10
CELLS_PER_CHUNK = 8_000_000
"""Subscribers are scored in chunks of at most this many (subscriber, paper) cells."""


@dataclass
class _Choice:
    """A chosen paper (row of the period) and the parts of its reason."""

    row: int
    why: str = ""
    liked_id: str = ""  # recommendations: the liked paper it is most similar to


@dataclass
class _Plan:
    alerts: list[tuple[str, list[_Choice]]] = field(default_factory=list)
    recommended: list[_Choice] = field(default_factory=list)
    category: list[_Choice] = field(default_factory=list)
    trending: list[_Choice] = field(default_factory=list)


def _category_matrix(period: PeriodPapers, subscribers: Sequence[Subscriber]) -> np.ndarray:
    """(subscribers, papers) bool: the paper is in one of the subscriber's categories, from one
    product of two incidence matrices."""
    names = sorted({c for s in subscribers for c in s.category_list})
    column = {name: j for j, name in enumerate(names)}
    papers = np.zeros((len(period.ids), len(names)), dtype=np.float32)
    for i, cats in enumerate(period.categories):
        for cat in cats:
            if cat in column:
                papers[i, column[cat]] = 1.0
    chosen = np.zeros((len(subscribers), len(names)), dtype=np.float32)
    for i, s in enumerate(subscribers):
        for cat in s.category_list:
            chosen[i, column[cat]] = 1.0
    return (chosen @ papers.T) > 0


def _plan_chunk(
    subscribers: Sequence[Subscriber],
    period: PeriodPapers,
    *,
    signals: dict[int, Signals],
    mailed: dict[int, set[str]],
    searches: dict[int, list[str]],
    alerts: dict[str, list],
    profiles: dict[int, tuple[np.ndarray, float, np.ndarray, list[str]]],
) -> list[_Plan]:
    rows, n = len(subscribers), len(period.ids)
    index = period.index
    taken = np.zeros((rows, n), dtype=bool)  # blocked (mailed, liked, disliked) or already shown
    plans = [_Plan() for _ in subscribers]
    for r, s in enumerate(subscribers):
        seen = mailed.get(s.pk, set()) | set(signals[s.pk].liked) | signals[s.pk].disliked
        taken[r, [index[pid] for pid in seen if pid in index]] = True
        for query in searches.get(s.pk, ()):
            kept = []
            for hit in alerts.get(query, ()):
                i = index.get(hit.id)
                if i is None or taken[r, i]:
                    continue
                taken[r, i] = True
                reason = f'matches your alert "{query}"'
                kept.append(_Choice(i, f"{reason}: {hit.why[0]}" if hit.why else reason))
                if len(kept) == ALERT_N:
                    break
            plans[r].alerts.append((query, kept))

    personal = np.full((rows, n), np.nan, dtype=np.float32)
    with_profile = [r for r, s in enumerate(subscribers) if s.pk in profiles]
    if with_profile and period.vectors.shape[1]:
        weights = np.vstack([profiles[subscribers[r].pk][0] for r in with_profile])
        biases = np.array([profiles[subscribers[r].pk][1] for r in with_profile], np.float32)
        personal[with_profile] = weights @ period.vectors.T + biases[:, None]
        exclude = taken[with_profile] | ~period.has_vector[None, :]
        best = recommend.top_k_per_row(personal[with_profile], RECOMMENDED_N, exclude)
        for r, picks in zip(with_profile, best, strict=True):
            picks = picks[picks >= 0]
            if not picks.size:
                continue
            _, _, liked_vectors, liked_ids = profiles[subscribers[r].pk]
            nearest = recommend.nearest_liked(liked_vectors, period.vectors[picks])
            plans[r].recommended = [
                _Choice(int(i), liked_id=liked_ids[j]) for i, j in zip(picks, nearest, strict=True)
            ]
            taken[r, picks] = True

    if any(s.category_list for s in subscribers):
        match = _category_matrix(period, subscribers)
        score = np.where(np.isnan(personal), period.trending[None, :], personal)
        best = recommend.top_k_per_row(score, CATEGORY_N, taken | ~match)
        for r, s in enumerate(subscribers):
            picks = best[r][best[r] >= 0] if s.category_list else []
            chosen = s.category_list
            plans[r].category = [
                _Choice(
                    int(i), "new in " + ", ".join(c for c in chosen if c in period.categories[i])
                )
                for i in picks
            ]
            taken[r, picks] = True

    top_n = max((s.top_n for s in subscribers), default=0)
    if top_n and n:
        best = recommend.top_k_per_row(np.broadcast_to(period.trending, (rows, n)), top_n, taken)
        for r, s in enumerate(subscribers):
            picks = best[r][: s.top_n]
            plans[r].trending = [_Choice(int(i), _trending_why(period, i)) for i in picks if i >= 0]
    return plans


def _trending_why(period: PeriodPapers, row: int) -> str:
    votes = int(period.upvotes[row])
    if votes <= 0:
        return "new in the feed, no votes yet"
    return f"trending with {votes} upvote{'s' if votes != 1 else ''}"


def _profiles(
    subscribers: Sequence[Subscriber], signals: dict[int, Signals]
) -> dict[int, tuple[np.ndarray, float, np.ndarray, list[str]]]:
    """Subscriber pk -> (weights, bias, liked vectors, liked ids) of everyone who gets
    recommendations, trained together by :func:`recommend.ridge_batch`."""
    wanted = [s for s in subscribers if s.recommendations and signals[s.pk].liked]
    if not wanted:
        return {}
    vectors = gather.load_vectors(
        pid for s in wanted for pid in (*signals[s.pk].liked, *signals[s.pk].disliked)
    )
    background = gather.load_background()
    if not vectors or background.shape[0] == 0:
        return {}
    dim = background.shape[1]
    users, kept, liked_lists = [], [], []
    for s in wanted:
        liked_ids = [pid for pid in signals[s.pk].liked if pid in vectors]
        if not liked_ids:
            continue
        disliked = [vectors[pid] for pid in signals[s.pk].disliked if pid in vectors]
        liked = np.vstack([vectors[pid] for pid in liked_ids])
        users.append((liked, np.vstack(disliked) if disliked else np.zeros((0, dim))))
        kept.append(s.pk)
        liked_lists.append((liked, liked_ids))
    if not users:
        return {}
    weights, biases = recommend.ridge_batch(users, background)
    return {
        pk: (weights[i], float(biases[i]), liked_lists[i][0], liked_lists[i][1])
        for i, pk in enumerate(kept)
    }


def build_all(
    subscribers: Iterable[Subscriber], start: dt.datetime, end: dt.datetime
) -> list[Digest]:
    """The digests of ``subscribers`` for the period ``[start, end)`` (aware datetimes), in the
    order given. Queries are batched (a handful per :data:`SQL_CHUNK` subscribers) and every
    score is a matrix product over the period's papers."""
    subscribers = list(subscribers)
    first, last = gather.period_days(start, end)
    period = gather.load_period(first, last, end)
    signals = gather.load_signals(subscribers)
    mailed = gather.load_mailed(subscribers, first, last)
    muted = filters.muted_by_user((s.user_id for s in subscribers if s.user_id), period.ids)
    hidden = seen.hidden_by_user((s.user_id for s in subscribers if s.user_id), period.ids)
    for s in subscribers:  # a muted paper, or a seen one they hide, is never picked: as if mailed
        mailed[s.pk] |= muted.get(s.user_id, set()) | hidden.get(s.user_id, set())
    searches = gather.saved_searches(subscribers)
    alerts = gather.alert_hits((q for qs in searches.values() for q in qs), first, last)
    if period.ids:
        gather.add_cold_start(subscribers, signals, searches, first)
    profiles = _profiles(subscribers, signals) if period.ids else {}
    per_chunk = max(1, CELLS_PER_CHUNK // max(1, len(period.ids)))
    plans: list[_Plan] = []
    for chunk in gather.chunks(subscribers, per_chunk):
        plans += _plan_chunk(
            chunk,
            period,
            signals=signals,
            mailed=mailed,
            searches=searches,
            alerts=alerts,
            profiles=profiles,
        )
    chosen_rows = {c.row for plan in plans for c in _all_choices(plan)}
    papers = gather.papers_by_id(period.ids[i] for i in chosen_rows)
    titles = gather.titles(c.liked_id for plan in plans for c in plan.recommended)
    return [
        _digest(s, plan, period, papers, titles, signals[s.pk], end)
        for s, plan in zip(subscribers, plans, strict=True)
    ]


def _all_choices(plan: _Plan) -> Iterable[_Choice]:
    for _, choices in plan.alerts:
        yield from choices
    yield from plan.recommended
    yield from plan.category
    yield from plan.trending


def _digest(
    subscriber: Subscriber,
    plan: _Plan,
    period: PeriodPapers,
    papers: dict[str, Paper],
    titles: dict[str, str],
    signals: Signals,
    end: dt.datetime,
) -> Digest:
    def items(choices: list[_Choice]) -> list[DigestItem]:
        return [DigestItem(papers[period.ids[c.row]], c.why) for c in choices]

    sections = [Section(f"Alert: {query}", items(choices)) for query, choices in plan.alerts]
    for choice in plan.recommended:
        verb = signals.liked[choice.liked_id]
        title = titles.get(choice.liked_id, choice.liked_id)
        choice.why = f'similar to "{title}", which {verb}'
    sections.append(Section("Recommended for you", items(plan.recommended)))
    if subscriber.category_list:
        sections.append(
            Section(f"New in {', '.join(subscriber.category_list)}", items(plan.category))
        )
    sections.append(Section("Trending", items(plan.trending)))
    local_day = end.astimezone(subscriber.zone).date()
    key = schedule.period_key(subscriber.frequency, local_day)
    return Digest(subscriber, key, [s for s in sections if s.items])


def build_digest(subscriber: Subscriber, start: dt.datetime, end: dt.datetime) -> Digest:
    """The digest of one subscriber for ``[start, end)``: :func:`build_all` of one."""
    return build_all([subscriber], start, end)[0]

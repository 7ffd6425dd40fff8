"""A registered ranking run over a queryset of papers: where rankings meet the database.

:func:`page_of` returns one page of ``(id, score)`` and the number of papers, by the cheapest of
three ways the ranking's declaration allows (:class:`paperfeed.rankings.Ranking`):

- ``pushdown``: the order in SQL, one page read (:func:`sql_order`; the lists read it together
  with the page's papers);
- ``zero_unless`` (a decaying score such as trending or hot): only the rows that can score
  above zero (one of the ``zero_unless`` inputs positive), and those whose entry time SQL does
  not see (submitted papers, when the tie order reads it), are read and scored in Python; every
  other row scores 0 and follows in the tie order, which SQL gives directly, so just as many of
  them are read as the page reaches, with their count (a category page of 75k papers reads its
  voted papers and one page, not 75k rows). Every row that can score is read, however many:
  a page ranked on part of them would be wrong;
- otherwise: the inputs of every row ranked in Python (at most :data:`MAX_CANDIDATES` rows,
  reading more rows for an order without a pushdown or a zero would make the page slow).

The external signals (:class:`~paperfeed.signals.models.PaperSignals`, one row per paper, absent
for most) are read through a LEFT JOIN: a paper without a signals row has them all ``None``.
"""

from __future__ import annotations

import datetime as dt
import heapq
from itertools import accumulate

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce

from paperfeed.community.models import Comment
from paperfeed.rankings import NEWER_DAY_FIRST, Ranking, Row, Term, sort_rows
from paperfeed.rankings.order import fields

MAX_CANDIDATES = 20_000
"""Most rows a ranking without a pushdown or a zero reads to score in Python."""
SIGNALS = {
    "hf_upvotes": "hf_upvotes",
    "stars": "stars",
    "stars_gained": "stars_gained_week",
    "citations": "citations",
}
"""Inputs that are fields of the paper's signals row: input -> field of ``PaperSignals``."""
COLUMNS = {
    "id": "arxiv_id",
    "upvotes": "upvotes",
    "feed_day": "feed_day",
    "submitted_at": "submission__created",
    "comments": "n_comments",
    **{name: f"signals__{field}" for name, field in SIGNALS.items()},
}
"""The column (or annotation) each input is read from."""
COMMUNITY_INPUTS = tuple(name for name in COLUMNS if name != "id")
"""Every input the store has: what a personal order (for you) is given to blend with."""


class CannotRank(ValueError):
    """A ranking whose inputs the paper store does not have (search's relevance)."""


def _visible_comments():
    """The visible comments of the outer query's paper (not hidden, nor under a hidden one)."""
    return Comment.objects.filter(paper=OuterRef("pk"), hidden=False).exclude(parent__hidden=True)


def comment_count():
    """The visible comments of each paper (not hidden, nor replies to a hidden comment)."""
    counted = _visible_comments().order_by().values("paper").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def can_rank(ranking: Ranking) -> bool:
    return all(name in COLUMNS for name in ranking.inputs)


def _check(ranking: Ranking) -> None:
    if not can_rank(ranking):
        missing = ", ".join(sorted(set(ranking.inputs) - set(COLUMNS)))
        raise CannotRank(f"ranking {ranking.name!r} reads {missing}, which papers do not have")


def sql_order(terms: tuple[Term, ...]) -> list:
    """ORDER BY expressions for ``terms`` (``entered`` is the feed day: exact only for papers
    nobody submitted, which is how the decaying page uses it; ``comments`` needs the queryset
    annotated with ``n_comments=comment_count()``, as the lists' ``decorate`` does)."""
    order = []
    for term in terms:
        column = COLUMNS["feed_day" if term.field == "entered" else term.field]
        nulls = {"nulls_last": True} if term.nulls_last else {}
        expression = F(column)
        order.append(expression.desc(**nulls) if term.descending else expression.asc(**nulls))
    return order


def _positive(names: tuple[str, ...]) -> Q:
    """Rows where one of the inputs ``names`` is above 0 (absent signals are not)."""
    found = Q()
    for name in names:
        if name == "comments":
            found |= Q(Exists(_visible_comments()))
        else:
            found |= Q(**{f"{COLUMNS[name]}__gt": 0})
    return found


def rows(
    queryset, inputs, limit: int | None = MAX_CANDIDATES, *, newest_first: bool = False
) -> list[Row]:
    """The :class:`Row` of each paper of ``queryset`` with ``inputs`` filled (at most ``limit``;
    None: all of them). ``newest_first``: the newest ``limit`` (newer feed day, then larger id),
    the candidates of an order that scores every row in Python (for you), the same ones
    whatever the store holds."""
    names = [name for name in dict.fromkeys(inputs) if name != "id"]
    if "comments" in names:
        queryset = queryset.annotate(n_comments=comment_count())
    order = sql_order(NEWER_DAY_FIRST) if newest_first else ()
    found = queryset.order_by(*order).values_list("arxiv_id", *(COLUMNS[n] for n in names))
    if limit is not None:
        found = found[:limit]
    return [Row(values[0], **dict(zip(names, values[1:], strict=True))) for values in found]


def _signals_of(paper):
    """The paper's signals row (as the lists select it), or None when no service said a thing."""
    external = getattr(paper, "external", None)
    if external is not None:
        return external
    try:
        return paper.signals
    except ObjectDoesNotExist:
        return None


def row_of(paper, ranking: Ranking) -> Row:
    """The row of a paper the lists decorated (``n_comments`` annotated, submission selected)."""
    values = {}
    for name in ranking.inputs:
        if name == "submitted_at":
            try:
                values[name] = paper.submission.created
            except ObjectDoesNotExist:  # nobody submitted it
                values[name] = None
        elif name == "comments":
            values[name] = paper.n_comments
        elif name in SIGNALS:
            values[name] = getattr(_signals_of(paper), SIGNALS[name], None)
        else:
            values[name] = getattr(paper, COLUMNS[name])
    return Row(paper.arxiv_id, **values)


def page_of(
    queryset, ranking: Ranking, now: dt.datetime, start: int, end: int
) -> tuple[list[tuple[str, float]], int]:
    """``(id, score)`` of rows ``start:end`` of ``queryset`` ranked by ``ranking``, and how many
    rows there are; for a ranking without ``pushdown`` (with one, order by :func:`sql_order`)."""
    _check(ranking)
    if ranking.zero_inputs:
        return _decaying_page(queryset, ranking, now, start, end)
    ranked = ranking.rank(rows(queryset, ranking.inputs), now)
    return ranked[start:end], len(ranked)


def _decaying_page(queryset, ranking: Ranking, now, start: int, end: int):
    scored = _positive(ranking.zero_inputs)
    if any(term.field == "entered" for term in ranking.tie):
        scored |= Q(submission__isnull=False)  # entered at the submission time, not the day
    if ranking.monotone:
        candidates, ranked = _newest_days_first(queryset.filter(scored), ranking, now, end)
        if candidates is None:  # the page is whole: older days cannot reach it
            return ranked[start:end], queryset.count()
    else:
        candidates = rows(queryset.filter(scored), ranking.inputs, limit=None)
        ranked = ranking.rank(candidates, now)
    head = [(pid, score) for pid, score in ranked if score > 0]
    zero = {pid for pid, score in ranked if score <= 0}
    tail_end = max(0, end - len(head))  # how far the page reaches into the zero scores
    plain, n_plain = _first_in_tie_order(queryset.exclude(scored), ranking.tie, tail_end)
    zero_rows = [row for row in candidates if row.id in zero]
    tail = sort_rows([*zero_rows, *plain], ranking.tie)[:tail_end]
    order = head + [(row.id, 0.0) for row in tail]
    return order[start:end], len(head) + len(zero) + n_plain


def _newest_days_first(candidates, ranking: Ranking, now, end: int):
    """Rank the ``candidates`` of a monotone ranking day by day, newest first, until no older
    day can reach the page's last place: ``(None, ranked)`` then, the first ``end`` of
    ``ranked`` being the page's rows in their final order. ``(rows, ranked)`` of every candidate
    when the page is not decided before the last day (or reaches rows that score 0).

    A day's best possible score is the score of a row with that day's largest inputs (one
    GROUP BY query gives them for every day); the ranking being monotone, no row of the day
    scores more, and an older row that ties sorts after (NEWER_DAY_FIRST). Batches double, so
    a long list takes a handful of queries: a 75k-paper category reads its newest weeks.
    """
    names = ranking.zero_inputs
    maxima = {f"max_{name}": Max(COLUMNS[name]) for name in names}
    per_day = list(candidates.order_by().values("feed_day").annotate(n=Count("pk"), **maxima))
    per_day.sort(key=lambda d: (d["feed_day"] is not None, d["feed_day"] or dt.date.min))
    per_day.reverse()  # newest first, undated last
    best = [
        ranking.score(Row("", feed_day=d["feed_day"], **{n: d[f"max_{n}"] for n in names}), now)
        for d in per_day
    ]
    reach = list(accumulate(reversed(best), max))[::-1]  # best score of this day or older
    read: list[Row] = []
    scores: list[float] = []
    i = 0
    while i < len(per_day):
        batch, size = [], 0
        while i < len(per_day) and (size < max(end, len(read)) or not batch):
            batch.append(per_day[i]["feed_day"])
            size += per_day[i]["n"]
            i += 1
        dated = [day for day in batch if day is not None]
        on_days = Q(feed_day__in=dated) | (Q(feed_day__isnull=True) if None in batch else Q())
        fresh = rows(candidates.filter(on_days), ranking.inputs, limit=None)
        read += fresh
        scores += [float(ranking.score(row, now)) for row in fresh]
        if i < len(per_day) and len(scores) >= end > 0:
            last = heapq.nlargest(end, scores)[-1]  # the page's last place so far
            if last > 0 and reach[i] <= last:
                return None, ranking.rank(read, now)
    return read, ranking.rank(read, now)


def _first_in_tie_order(queryset, tie: tuple[Term, ...], n: int) -> tuple[list[Row], int]:
    """The first ``n`` rows of ``queryset`` in the order ``tie`` (with the inputs it reads), and
    how many rows there are in all (one query: a window count on the same rows)."""
    names = sorted(fields(tie) - {"submitted_at"})  # the rows were never submitted
    found = list(
        queryset.order_by(*sql_order(tie))
        .annotate(n_all=Window(Count("pk")))
        .values_list("arxiv_id", *(COLUMNS[name] for name in names), "n_all")[: max(n, 1)]
    )
    count = found[0][-1] if found else 0
    return [Row(v[0], **dict(zip(names, v[1:-1], strict=True))) for v in found[:n]], count

"""A registered ranking run over a queryset of papers: where rankings meet the database.

:func:`page_of` returns one page of ``(id, score)`` and the number of papers, by the cheapest of
three ways the ranking's declaration allows (:class:`paperfeed.rankings.Ranking`):

- ``pushdown``: the order in SQL, one page read (:func:`sql_order`; the lists read it together
  with the page's papers);
- ``zero_unless`` (a decaying score such as trending): only the rows that can score above zero,
  and those whose entry time SQL does not see (submitted papers), are read and scored in
  Python; every other row scores 0 and follows in the tie order, which SQL gives directly, so
  just as many of them are read as the page reaches, with their count (a category page of 75k
  papers reads its voted papers and one page, not 75k rows);
- otherwise: the inputs of every row ranked in Python (at most :data:`MAX_CANDIDATES` rows,
  as the decaying page reads at most that many rows that can score).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce

from paperfeed.community.models import Comment
from paperfeed.rankings import Ranking, Row, Term, sort_rows
from paperfeed.rankings.order import fields

MAX_CANDIDATES = 20_000
"""Most rows a ranking reads to score in Python."""
COLUMNS = {
    "id": "arxiv_id",
    "upvotes": "upvotes",
    "feed_day": "feed_day",
    "submitted_at": "submission__created",
    "comments": "n_comments",
}
"""The column (or annotation) each input is read from."""


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


def _positive(name: str) -> Q:
    if name == "comments":
        return Q(Exists(_visible_comments()))
    return Q(**{f"{COLUMNS[name]}__gt": 0})


def rows(queryset, inputs, limit: int = MAX_CANDIDATES) -> list[Row]:
    """The :class:`Row` of each paper of ``queryset`` with ``inputs`` filled (at most ``limit``)."""
    names = [name for name in dict.fromkeys(inputs) if name != "id"]
    if "comments" in names:
        queryset = queryset.annotate(n_comments=comment_count())
    found = queryset.order_by().values_list("arxiv_id", *(COLUMNS[n] for n in names))
    return [Row(values[0], **dict(zip(names, values[1:], strict=True))) for values in found[:limit]]


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
        else:
            values[name] = getattr(paper, COLUMNS[name])
    return Row(paper.arxiv_id, **values)


def page_of(
    queryset, ranking: Ranking, now: dt.datetime, start: int, end: int
) -> tuple[list[tuple[str, float]], int]:
    """``(id, score)`` of rows ``start:end`` of ``queryset`` ranked by ``ranking``, and how many
    rows there are; for a ranking without ``pushdown`` (with one, order by :func:`sql_order`)."""
    _check(ranking)
    if ranking.zero_unless is not None:
        return _decaying_page(queryset, ranking, now, start, end)
    ranked = ranking.rank(rows(queryset, ranking.inputs), now)
    return ranked[start:end], len(ranked)


def _decaying_page(queryset, ranking: Ranking, now, start: int, end: int):
    scored = _positive(ranking.zero_unless)
    if any(term.field == "entered" for term in ranking.tie):
        scored |= Q(submission__isnull=False)  # entered at the submission time, not the day
    candidates = rows(queryset.filter(scored), ranking.inputs)
    ranked = ranking.rank(candidates, now)
    head = [(pid, score) for pid, score in ranked if score > 0]
    zero = {pid for pid, score in ranked if score <= 0}
    tail_end = max(0, end - len(head))  # how far the page reaches into the zero scores
    plain, n_plain = _first_in_tie_order(queryset.exclude(scored), ranking.tie, tail_end)
    zero_rows = [row for row in candidates if row.id in zero]
    tail = sort_rows([*zero_rows, *plain], ranking.tie)[:tail_end]
    order = head + [(row.id, 0.0) for row in tail]
    return order[start:end], len(head) + len(zero) + n_plain


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

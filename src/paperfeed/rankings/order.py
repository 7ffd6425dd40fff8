"""Total orders over rows: ORDER BY terms, the two tie orders, and sorting rows by them.

An order is a tuple of :class:`Term`, most significant first, over the fields of a
:class:`~paperfeed.rankings.inputs.Row`, its ``id``, or ``entered`` (the entry time,
:func:`~paperfeed.rankings.inputs.entered_at`). The same terms sort rows here in Python and are
pushed down into SQL by :mod:`paperfeed.papers.ranked`; a ``None`` value sorts as SQLite sorts
NULL (lowest) unless the term says ``nulls_last``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from paperfeed.rankings.inputs import INPUTS, Row, entered_at

DERIVED = ("id", "entered")
"""Term fields that are not inputs: the paper id, and the entry time (feed day, submission)."""


@dataclass(frozen=True)
class Term:
    """One ORDER BY term."""

    field: str
    descending: bool = True
    nulls_last: bool = False
    """``None`` after every value whatever the direction (SQL ``NULLS LAST``); else lowest."""

    def __post_init__(self) -> None:
        if self.field not in INPUTS and self.field not in DERIVED:
            known = ", ".join([*INPUTS, *DERIVED])
            raise ValueError(f"order term {self.field!r} is none of {known}")


NEWER_DAY_FIRST = (Term("feed_day"), Term("id"))
"""Newer feed day first, then the larger arXiv id (ids grow with time): the lists' SQL order."""
NEWER_ENTRY_FIRST = (Term("entered", nulls_last=True), Term("id", descending=False))
"""Newer entry first (a submitted paper entered when it was submitted), undated last, then the
smaller id: the order of equal scores in the decaying rankings."""


def fields(terms: Iterable[Term]) -> set[str]:
    """The inputs ``terms`` read (``entered`` reads ``feed_day`` and ``submitted_at``)."""
    found: set[str] = set()
    for term in terms:
        if term.field == "entered":
            found |= {"feed_day", "submitted_at"}
        elif term.field != "id":
            found.add(term.field)
    return found


def _value(field: str) -> Callable[[Row], Any]:
    if field == "entered":
        return entered_at
    return lambda row: getattr(row, field)


def _key(term: Term) -> Callable[[Row], tuple]:
    value = _value(term.field)
    # None sorts before every value, or (nulls_last) after them in the direction of the term
    none_rank = 1 if term.nulls_last and not term.descending else 0
    some_rank = 1 - none_rank

    def key(row: Row) -> tuple:
        found = value(row)
        return (none_rank,) if found is None else (some_rank, found)

    return key


def sort_rows(rows: Iterable[Row], terms: tuple[Term, ...]) -> list[Row]:
    """``rows`` in the order of ``terms`` (stable sorts from the least significant term up).

    >>> import datetime as dt
    >>> rows = [Row("b", feed_day=dt.date(2025, 1, 1)), Row("a"), Row("c", feed_day=dt.date(2025, 1, 1))]
    >>> [r.id for r in sort_rows(rows, NEWER_DAY_FIRST)]
    ['c', 'b', 'a']
    >>> [r.id for r in sort_rows(rows, NEWER_ENTRY_FIRST)]
    ['b', 'c', 'a']
    """
    ordered = list(rows)
    for term in reversed(terms):
        ordered.sort(key=_key(term), reverse=term.descending)
    return ordered

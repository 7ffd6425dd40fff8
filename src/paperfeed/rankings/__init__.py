"""Rankings: how papers are ordered, each a small pure function in one registry.

``from paperfeed import rankings`` gives the registry (:func:`get`, :func:`offered`,
:func:`labels`, :func:`all_rankings`), the :class:`Row` every ranking reads and the built-in
rankings (:mod:`paperfeed.rankings.builtin`, registered on import). This package imports
nothing from the rest of paperfeed; :mod:`paperfeed.papers.ranked` runs rankings over the
database. docs/rankings.md explains it and how to add one.
"""

from __future__ import annotations

from paperfeed.rankings import builtin  # noqa: F401 - registers the built-in rankings
from paperfeed.rankings.inputs import INPUTS, ORIGINS, Row, entered_at
from paperfeed.rankings.order import NEWER_DAY_FIRST, NEWER_ENTRY_FIRST, Term, sort_rows
from paperfeed.rankings.registry import (
    SURFACES,
    Ranking,
    UnknownRanking,
    all_rankings,
    get,
    labels,
    offered,
    ranking,
    register,
    require,
)

__all__ = [
    "INPUTS",
    "NEWER_DAY_FIRST",
    "NEWER_ENTRY_FIRST",
    "ORIGINS",
    "SURFACES",
    "Ranking",
    "Row",
    "Term",
    "UnknownRanking",
    "all_rankings",
    "entered_at",
    "get",
    "labels",
    "offered",
    "ranking",
    "register",
    "require",
    "sort_rows",
]

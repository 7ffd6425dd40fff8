"""The rankings registry: each ranking registered once, with its name, label, help text, the
inputs it reads and the surfaces that offer it; pages, API, feeds, digests and search read it.

A :class:`Ranking`'s ``score(row, now)`` is a pure function of one
:class:`~paperfeed.rankings.inputs.Row`; :meth:`Ranking.rank` orders rows by score, best first,
then by the ranking's total tie order. Two optional declarations let the paper lists rank big
sets without loading them (:mod:`paperfeed.papers.ranked` uses them; the tests prove they agree
with ``rank``):

- ``pushdown``: the whole order as SQL ORDER BY terms (score terms, then the tie order);
- ``zero_unless``: an input (or several) without which the score is 0 (a decaying score: no
  upvotes, no trending). Only the rows that have one are scored; the others follow in the tie
  order.
- ``monotone`` (with ``zero_unless``): the score never decreases when one of those inputs grows
  or the feed day is newer, and reads nothing else. A page of a long list then reads the newest
  days first and stops as soon as the best score any older day could reach (its largest inputs)
  cannot enter the page.

A ``personal`` ranking (for-you) reads the ``personal`` input, which only a signed-in member
with a profile has: :func:`offered` leaves it out unless asked (``personal=True``), so the
surfaces that serve everyone alike (the feeds, the OpenAPI choices of anonymous calls, the
search index's sorts) never see it, and whoever can serve it asks for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from paperfeed.rankings.inputs import INPUTS, Row
from paperfeed.rankings.order import DERIVED, NEWER_DAY_FIRST, Term, fields, sort_rows

SURFACES: dict[str, str] = {
    "pages": "the sort tabs of the day, week, month, author and category pages",
    "api": "sort= of /api/v1/feeds/daily, weekly and monthly (and what HF's sort names map to)",
    "feeds": "sort= of the daily and category RSS/Atom feeds",
    "digests": "the order of a digest's Trending section",
    "search": "sort= of search: the search page, /api/v1/search, paperfeed search, search feeds",
}
"""Where a ranking can be offered."""


class UnknownRanking(ValueError):
    """A ranking name that is not registered, or not offered where it was asked for."""


@dataclass(frozen=True)
class Ranking:
    """One way to order papers: what it is called and shows, what it reads, where it is offered."""

    name: str
    """The URL value (``?sort=NAME``)."""
    label: str
    """What a tab or a choice shows."""
    help: str
    """One sentence a user can read: what comes first."""
    inputs: tuple[str, ...]
    """The fields of :class:`Row` that ``score`` and the tie order read (from ``INPUTS``)."""
    where: frozenset[str]
    """The surfaces (``SURFACES``) that offer it."""
    score: Callable[[Row, dt.datetime], float]
    """The pure scoring function: higher comes first."""
    tie: tuple[Term, ...]
    """The total order of equal scores, ending with the id."""
    pushdown: tuple[Term, ...] | None = None
    """The same order as SQL ORDER BY terms over the inputs (ends with ``tie``)."""
    zero_unless: str | tuple[str, ...] | None = None
    """An input (or several) the score is 0 without (0 or absent; with several, when every one
    is): only rows with one of them need scoring."""

    monotone: bool = False
    """Score non-decreasing in each ``zero_unless`` input and in the feed day, which are all it
    reads (tie: ``NEWER_DAY_FIRST``): lets a page stop reading older days (see the module)."""

    personal: bool = False
    """It reads the ``personal`` input (one member's profile): offered only on request."""

    @property
    def zero_inputs(self) -> tuple[str, ...]:
        """``zero_unless`` as a tuple of inputs (empty: the score can be anything)."""
        if self.zero_unless is None:
            return ()
        if isinstance(self.zero_unless, str):
            return (self.zero_unless,)
        return tuple(self.zero_unless)

    def rank(self, rows: Iterable[Row], now: dt.datetime) -> list[tuple[str, float]]:
        """``(id, score)`` of ``rows``, best first, equal scores in the tie order."""
        ordered = sort_rows(rows, self.tie)
        scored = {row.id: float(self.score(row, now)) for row in ordered}
        ordered.sort(key=lambda row: scored[row.id], reverse=True)  # stable: ties keep tie order
        return [(row.id, scored[row.id]) for row in ordered]

    def check(self) -> None:
        """ValueError naming what is inconsistent in this declaration."""
        problems = []
        unknown = [i for i in self.inputs if i not in INPUTS]
        if unknown:
            problems.append(f"inputs {unknown} are not in the vocabulary ({', '.join(INPUTS)})")
        nowhere = sorted(self.where - set(SURFACES))
        if nowhere or not self.where:
            problems.append(f"where must name surfaces among {', '.join(SURFACES)}, not {nowhere}")
        if not self.tie or self.tie[-1].field != "id":
            problems.append("the tie order must end with the id, so that the order is total")
        terms = self.tie + (self.pushdown or ())
        undeclared = sorted(fields(terms) - set(self.inputs))
        if undeclared:
            problems.append(f"its orders read {undeclared}, which inputs do not declare")
        if self.pushdown is not None and self.pushdown[-len(self.tie) :] != self.tie:
            problems.append("pushdown must end with the tie order")
        stray = [name for name in self.zero_inputs if name not in self.inputs]
        if stray or self.zero_unless == ():
            problems.append(f"zero_unless {self.zero_unless!r} is not one of its inputs")
        if self.monotone and (
            not self.zero_inputs
            or self.tie != NEWER_DAY_FIRST
            or set(self.inputs) - {*self.zero_inputs, "feed_day"}
        ):
            problems.append(
                "monotone needs zero_unless, the NEWER_DAY_FIRST tie and no input but those "
                "and feed_day"
            )
        if self.personal != ("personal" in self.inputs):
            problems.append("a ranking is personal exactly when it reads the personal input")
        if not self.name.isidentifier() or self.name in DERIVED:
            problems.append("the name must be a plain word (it goes into URLs)")
        if problems:
            raise ValueError(f"ranking {self.name!r}: " + "; ".join(problems))


_REGISTRY: dict[str, Ranking] = {}


def register(ranking: Ranking) -> Ranking:
    """Add ``ranking`` (checked) to the registry; each name once."""
    ranking.check()
    if ranking.name in _REGISTRY:
        raise ValueError(f"a ranking called {ranking.name!r} is already registered")
    _REGISTRY[ranking.name] = ranking
    return ranking


def ranking(
    name: str,
    *,
    label: str,
    help: str,
    inputs: tuple[str, ...],
    where: Iterable[str],
    tie: tuple[Term, ...],
    pushdown: tuple[Term, ...] | None = None,
    zero_unless: str | tuple[str, ...] | None = None,
    monotone: bool = False,
    personal: bool = False,
) -> Callable[[Callable[[Row, dt.datetime], float]], Callable[[Row, dt.datetime], float]]:
    """Decorator: register the decorated ``score(row, now)`` as the ranking ``name``."""

    def decorate(score: Callable[[Row, dt.datetime], float]):
        register(
            Ranking(
                name=name,
                label=label,
                help=help,
                inputs=tuple(inputs),
                where=frozenset(where),
                score=score,
                tie=tie,
                pushdown=pushdown,
                zero_unless=zero_unless,
                monotone=monotone,
                personal=personal,
            )
        )
        return score

    return decorate


def get(name: str, *, surface: str | None = None) -> Ranking:
    """The ranking called ``name`` (offered on ``surface``, personal ones too, when one is
    given)."""
    choices = offered(surface, personal=True) if surface else tuple(_REGISTRY)
    if name not in choices:
        where = f" on {surface}" if surface else ""
        raise UnknownRanking(f"sort must be one of {', '.join(choices)}{where}, not {name!r}")
    return _REGISTRY[name]


def all_rankings() -> tuple[Ranking, ...]:
    """Every registered ranking, in registration order."""
    return tuple(_REGISTRY.values())


def offered(surface: str, *, personal: bool = False) -> tuple[str, ...]:
    """Names of the rankings ``surface`` offers, in registration order (the personal ones too
    with ``personal=True``: for a member who has a profile)."""
    if surface not in SURFACES:
        raise UnknownRanking(f"no surface {surface!r}; surfaces: {', '.join(SURFACES)}")
    return tuple(
        name
        for name, ranking in _REGISTRY.items()
        if surface in ranking.where and (personal or not ranking.personal)
    )


def labels(surface: str, *, personal: bool = False) -> dict[str, str]:
    """``{name: label}`` of the rankings ``surface`` offers (personal ones on request)."""
    return {name: _REGISTRY[name].label for name in offered(surface, personal=personal)}


def require(names: Iterable[str], surface: str) -> None:
    """ValueError unless every name is a ranking offered on ``surface`` (for fixed maps of
    names kept elsewhere, such as the Hugging Face sort names, checked when they load)."""
    missing = sorted(set(names) - set(offered(surface)))
    if missing:
        raise ValueError(f"not rankings offered on {surface}: {', '.join(missing)}")

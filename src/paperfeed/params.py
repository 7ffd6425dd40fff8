"""Parameter parsing shared by the web pages, the API and the command line.

Every function here is pure: it turns the text of one parameter into a value or raises the one
:class:`BadParameter`, whose message names the parameter and says what was wrong. The API answers
it as ``400 {"detail": "..."}`` (:mod:`paperfeed.api.errors`), the pages as a 400 page
(:mod:`paperfeed.web.params`).
"""

from __future__ import annotations

import datetime as dt
import re

from paperfeed.papers.ids import parse_arxiv_id


class BadParameter(ValueError):
    """A query or path parameter that cannot be used; the message names it and says why."""

    def __init__(self, name: str, problem: str):
        self.name = name
        self.problem = problem
        super().__init__(f"{name}: {problem}")


MAX_PAGE = 10_000  # as the web pages: beyond it an offset overflows the database's integer
MAX_OFFSET = 1_000_000

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_WEEK = re.compile(r"(\d{4})-W(\d{1,2})", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def check_text(name: str, value: str) -> str:
    """``value`` unless it holds a character no view can use: NUL (PostgreSQL cannot store it,
    nor compare with it) or a lone surrogate (not text: UTF-8 cannot encode it). Other control
    characters are text a view can hold; where they cannot go out (XML) the output strips them.

    The message names the character: ``q: contains the character U+0000 (NUL), which is not
    allowed``.
    """
    found = _UNSTORABLE.search(value)
    if found is None:
        return value
    char = ord(found[0])
    what = "NUL" if char == 0 else "a lone surrogate"
    raise BadParameter(name, f"contains the character U+{char:04X} ({what}), which is not allowed")


def parse_day(name: str, value: str) -> dt.date:
    """``YYYY-MM-DD`` -> date; ``2025-13-01`` and ``yesterday`` are refused."""
    text = value.strip()
    if not _DATE.fullmatch(text):
        raise BadParameter(name, f"expected a date as YYYY-MM-DD, got {value!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise BadParameter(name, f"{value!r} is not a calendar date ({exc})") from None


def parse_iso_week(name: str, value: str) -> tuple[int, int]:
    """``YYYY-Www`` (ISO 8601 week, e.g. ``2025-W09``) -> ``(iso_year, iso_week)``."""
    match = _WEEK.fullmatch(value.strip())
    if not match:
        raise BadParameter(name, f"expected an ISO week as YYYY-Www (e.g. 2025-W09), got {value!r}")
    year, week = int(match[1]), int(match[2])
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise BadParameter(name, f"{value!r}: year {year} has no ISO week {week}") from None
    return year, week


def parse_month(name: str, value: str) -> tuple[int, int]:
    """``YYYY-MM`` -> ``(year, month)``."""
    match = _MONTH.fullmatch(value.strip())
    if not match:
        raise BadParameter(name, f"expected a month as YYYY-MM (e.g. 2025-02), got {value!r}")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or year < 1:
        raise BadParameter(name, f"{value!r} is not a month (month must be 01 to 12)")
    return year, month


def parse_paper_id(name: str, value: str) -> str:
    """An arXiv id (new ``2503.01234``, old ``cs/9809007``, with or without version) -> bare id."""
    try:
        return parse_arxiv_id(value).id
    except ValueError as exc:
        raise BadParameter(name, str(exc)) from None


def check_choice(name: str, value: str, choices) -> str:
    if value not in choices:
        raise BadParameter(name, f"must be one of {', '.join(choices)}, not {value[:40]!r}")
    return value


FLAGS = dict.fromkeys(("1", "true", "yes", "on"), True) | dict.fromkeys(
    ("0", "false", "no", "off"), False
)
"""The words a yes/no parameter may be (``?code=1``, ``has_code=true``); empty means no."""


def parse_flag(name: str, value: str) -> bool:
    """A yes/no parameter: ``1``/``true``/``yes``/``on`` or ``0``/``false``/``no``/``off``
    (any case; empty: no).

    >>> parse_flag("code", "1"), parse_flag("has_code", "True"), parse_flag("code", "")
    (True, True, False)
    """
    text = value.strip().lower()
    if text == "":
        return False
    if text not in FLAGS:
        raise BadParameter(name, f"must be true or false (1 or 0), not {value[:40]!r}")
    return FLAGS[text]


def parse_int(name: str, value: str, *, minimum: int, maximum: int) -> int:
    """A whole number between ``minimum`` and ``maximum`` from its text."""
    try:
        number = int(value)
    except ValueError:
        raise BadParameter(name, f"must be a whole number, not {value[:40]!r}") from None
    if not minimum <= number <= maximum:
        raise BadParameter(name, f"must be between {minimum} and {maximum}, not {number}")
    return number


def parse_date(name: str, value: str) -> dt.date:
    """Any ISO 8601 date ``date.fromisoformat`` reads (``2025-03-18``, ``20250318``)."""
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise BadParameter(name, f"must be a date like 2025-03-18, not {value[:40]!r}") from None


def check_category_name(name: str, value: str) -> str:
    """The shape of an arXiv category name (``cs.LG``, ``hep-th``, ``cs``): letters, digits,
    ``.``, ``-`` and ``_``, at most 40 characters. Whether it exists is not checked."""
    if len(value) > 40 or not value or not all(ch.isalnum() or ch in ".-_" for ch in value):
        raise BadParameter(name, f"{value[:40]!r} is not an arXiv category name")
    return value


def check_range(name: str, value: int, low: int, high: int | None = None) -> int:
    """``value`` if ``low <= value (<= high)``; the message gives the allowed range."""
    if value < low or (high is not None and value > high):
        allowed = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise BadParameter(name, f"must be {allowed}, got {value}")
    return value


def capped(value: int | None, default: int, cap: int) -> int:
    """A page size: ``default`` when absent, at most ``cap`` (asking for more is not an error)."""
    return default if value is None else min(value, cap)


def only_one(**given: object) -> None:
    """Refuse mutually exclusive parameters given together (``date`` and ``week``...)."""
    present = [name for name, value in given.items() if value not in (None, "")]
    if len(present) > 1:
        raise BadParameter(
            present[1],
            f"cannot be combined with {', '.join(present[:1])}; "
            f"give only one of {', '.join(given)}",
        )

"""The plain data a ranking reads: one :class:`Row` per paper, its fields from one vocabulary.

A ranking declares which of :data:`INPUTS` it reads; whoever ranks (the paper lists, the
digests) gathers just those fields into rows. Rows know nothing of Django, so every ranking is a
pure function of them and of the clock.

The external signals (``hf_upvotes``, ``stars``, ``stars_gained``, ``citations``) are ``None``
when no service said anything: absent is not 0 (a paper Hugging Face never listed has no HF
upvotes, which is not the same as a listed paper nobody upvoted there).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

INPUTS: dict[str, str] = {
    "upvotes": "community upvotes of the paper",
    "feed_day": "the day the paper is shown in the daily feed (None: the paper has no date)",
    "submitted_at": "when a user submitted the paper to paperfeed (None: nobody did)",
    "comments": "visible comments: neither hidden nor replies to a hidden comment",
    "relevance": "the retrieval score of a search hit (only search has it)",
    "hf_upvotes": "upvotes on Hugging Face's paper page (None: not on Hugging Face's daily list)",
    "stars": "GitHub stars of the paper's best-starred repository (None: no stars known)",
    "stars_gained": "stars that repository gained in the 7 days to its latest snapshot "
    "(None: fewer than two snapshots yet)",
    "citations": "citations counted by Semantic Scholar (None: Semantic Scholar did not say)",
    "personal": "the paper's for-you score for one signed-in member (None: no one asked); in "
    "search, blended with the hit's relevance",
}
"""Every field a ranking may read, with what it means."""

ORIGINS: dict[str, str] = {
    "upvotes": "the members of this paperfeed (the ▲ button)",
    "feed_day": "arXiv's daily listing; for a submitted paper, the daily list it joined",
    "submitted_at": "the members of this paperfeed (Submit a paper)",
    "comments": "the members of this paperfeed",
    "relevance": "this paperfeed's search indexes",
    "hf_upvotes": "Hugging Face's daily papers (paperfeed fetch hf)",
    "stars": "GitHub (paperfeed fetch github), or the stars Hugging Face and Papers with Code "
    "report beside a paper",
    "stars_gained": "the daily snapshots paperfeed keeps of those stars",
    "citations": "Semantic Scholar (paperfeed fetch s2)",
    "personal": "the member's own profile: papers they upvoted, saved or marked, the authors, "
    "categories, organisations and searches they follow, blended with Hot "
    "(paperfeed/personal/foryou.py)",
}
"""Where each input comes from (the /ranking page says it)."""


@dataclass(frozen=True, slots=True)
class Row:
    """What a ranking may know about one paper: its id and the fields of :data:`INPUTS`.

    Fields a ranking does not declare are left at their defaults by whoever gathers the rows.
    """

    id: str
    upvotes: int = 0
    feed_day: dt.date | None = None
    submitted_at: dt.datetime | None = None
    comments: int = 0
    relevance: float = 0.0
    hf_upvotes: int | None = None
    stars: int | None = None
    stars_gained: int | None = None
    citations: int | None = None
    personal: float | None = None


def entered_at(row: Row) -> dt.datetime | None:
    """When the paper entered the feed: its submission time, else 00:00 UTC of its feed day.

    >>> entered_at(Row("a", feed_day=dt.date(2025, 6, 1)))
    datetime.datetime(2025, 6, 1, 0, 0, tzinfo=datetime.timezone.utc)
    >>> entered_at(Row("a")) is None
    True
    """
    if row.submitted_at is not None:
        return row.submitted_at
    return day_start(row.feed_day)


def day_start(day: dt.date | None) -> dt.datetime | None:
    """00:00 UTC of ``day`` (None for no day): when a paper listed that day entered the feed.

    >>> day_start(dt.date(2025, 6, 1)), day_start(None)
    (datetime.datetime(2025, 6, 1, 0, 0, tzinfo=datetime.timezone.utc), None)
    """
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def day_number(day: dt.date | None) -> int:
    """``day`` as YYYYMMDD (0 for no day): a date as a score, as search's ``day`` field has it.

    >>> day_number(dt.date(2025, 3, 18)), day_number(None)
    (20250318, 0)
    """
    return day.year * 10_000 + day.month * 100 + day.day if day else 0

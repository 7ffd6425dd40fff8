"""Semantic Scholar: the TL;DR, citation and influential-citation counts, venue and open-access
PDF of stored papers (``paperfeed fetch s2``).

One ``POST {PAPERFEED_S2_API_URL}/graph/v1/paper/batch?fields=...`` with body
``{"ids": ["ARXIV:<id>", ...]}`` asks for up to 500 papers; S2 answers an array in request order,
``null`` where it does not know the id. Such a paper is still marked asked (``s2_fetched_at``) so
it is not asked again every run, and keeps whatever S2 said of it before.

Which papers, and when: citations move fast while a paper is new and slowly after, so a paper is
due :func:`refresh_days` after it was last asked — daily in its first week, weekly until it is
~three months old, monthly after (75k papers cost ~150 requests the first time, a few a day
after). :func:`priority` orders them: papers never asked first (newest first: the daily page
shows them), then the most overdue.

Resumable without a cursor: each batch is stored, ``s2_fetched_at`` included, in its own
transaction before the next request, and what is due is computed from ``s2_fetched_at``; a
killed run loses at most the batch in flight, and the next run asks only what is still due.

S2's anonymous callers share one pool that answers 429 routinely, without ``Retry-After``: the
client retries such a 429 after 1, 2, 4 and 8 s before pausing the source
(:class:`~paperfeed.signals.http.RateLimited`). ``S2_API_KEY`` (``x-api-key``) gives one request
a second of one's own.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Sequence

from django.conf import settings
from django.utils import timezone

from paperfeed.papers.ids import InvalidArxivId, parse_arxiv_id
from paperfeed.papers.models import Paper
from paperfeed.signals import fetching, store
from paperfeed.signals.http import JsonClient, SourceFailed
from paperfeed.signals.models import PaperSignals

NAME = "s2"
BATCH_PATH = "graph/v1/paper/batch"
FIELDS = (
    "externalIds,title,venue,publicationVenue,year,publicationDate,citationCount,"
    "influentialCitationCount,openAccessPdf,tldr"
)
BATCH_SIZE = 500
"""S2's limit of ids per batch request."""
LIMIT_RETRIES = 4
"""429s retried after 1, 2, 4, 8 s (then the source pauses)."""
DAILY_DAYS, WEEKLY_DAYS = 7, 90
"""Papers younger than ``DAILY_DAYS`` are refreshed daily, then weekly until ``WEEKLY_DAYS``."""
DAILY, WEEKLY, MONTHLY = 1, 7, 30
ARXIV_VENUE_ID = "1901e811-ee72-4b20-8f7e-de08cd395a10"
"""S2's publication-venue id of arXiv.org, which is where a preprint is, not a venue."""
S2_FIELDS = (
    "s2_id",
    "tldr",
    "citations",
    "influential_citations",
    "venue",
    "open_access_pdf",
)
"""The PaperSignals fields this source sets (besides ``s2_fetched_at``)."""
ABSENT = {f: PaperSignals._meta.get_field(f).get_default() for f in S2_FIELDS}
_MAX_LENGTH = {f: PaperSignals._meta.get_field(f).max_length for f in S2_FIELDS}
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_ACRONYM = re.compile(r"^[A-Za-z][A-Za-z0-9&-]{1,14}$")

pause: Callable[[float], None] = time.sleep
"""How the client waits (pacing, backoff); tests replace it with a fake clock's sleep."""


# -- which papers are due -----------------------------------------------------------------------


def refresh_days(age_days: int | None) -> int:
    """Days between two asks of a paper ``age_days`` old (None: of unknown age, taken as old).

    >>> [refresh_days(a) for a in (0, 6, 7, 89, 90, 400, None)]
    [1, 1, 7, 7, 30, 30, 30]
    """
    if age_days is None or age_days >= WEEKLY_DAYS:
        return MONTHLY
    return DAILY if age_days < DAILY_DAYS else WEEKLY


def overdue_days(today: dt.date, born: dt.date | None, asked: dt.date | None) -> int | None:
    """Days a paper that appeared on ``born`` and was last asked on ``asked`` is past due
    (0: due today), None when not due; a paper never asked is due since it appeared. Counted in
    whole days so a daily run at any hour finds yesterday's papers due.

    >>> d = dt.date(2026, 6, 12)
    >>> overdue_days(d, d - dt.timedelta(days=3), d - dt.timedelta(days=1))  # new: daily
    0
    >>> overdue_days(d, d - dt.timedelta(days=3), d) is None  # asked today
    True
    >>> overdue_days(d, d - dt.timedelta(days=30), d - dt.timedelta(days=6)) is None  # weekly
    True
    >>> overdue_days(d, d - dt.timedelta(days=300), d - dt.timedelta(days=45))  # monthly
    15
    >>> overdue_days(d, d - dt.timedelta(days=2), None)
    2
    """
    age = (today - born).days if born else None
    if asked is None:
        return max(age or 0, 0)
    late = (today - asked).days - refresh_days(age)
    return late if late >= 0 else None


def priority(
    today: dt.date, born: dt.date | None, asked: dt.date | None
) -> tuple[int, int, int] | None:
    """The sort key of a due paper (smaller first), None when not due: papers never asked
    first, newest first (they have no S2 signal at all, and the daily page shows the new ones);
    then the most overdue, newer first on a tie.

    >>> d = dt.date(2026, 6, 12)
    >>> keys = {
    ...     "old, never": priority(d, dt.date(2025, 1, 1), None),
    ...     "new, never": priority(d, d, None),
    ...     "late 15 d": priority(d, dt.date(2025, 1, 1), d - dt.timedelta(days=45)),
    ...     "late 0 d": priority(d, d - dt.timedelta(days=2), d - dt.timedelta(days=1)),
    ... }
    >>> sorted(keys, key=keys.get)
    ['new, never', 'old, never', 'late 15 d', 'late 0 d']
    """
    late = overdue_days(today, born, asked)
    if late is None:
        return None
    newest = -(born.toordinal() if born else 0)
    return (0, 0, newest) if asked is None else (1, -late, newest)


def due_papers(today: dt.date, *, force: bool = False) -> list[str]:
    """Ids of the visible papers due for asking, in :func:`priority` order (``force``: every
    visible paper, the due ones first, then the others newest first)."""
    rows = Paper.objects.filter(deleted=False, hidden=False).values_list(
        "arxiv_id", "published", "feed_day", "signals__s2_fetched_at"
    )
    keyed = []
    for arxiv_id, published, feed_day, fetched_at in rows:
        asked = fetched_at.astimezone(dt.UTC).date() if fetched_at else None
        born = published or feed_day
        key = priority(today, born, asked)
        if key is None and force:
            key = (2, 0, -(born.toordinal() if born else 0))
        if key is not None:
            keyed.append((key, arxiv_id))
    keyed.sort()
    return [arxiv_id for _, arxiv_id in keyed]


# -- what S2 said ------------------------------------------------------------------------------


def venue_name(paper: dict) -> str:
    """The venue to show, with its year ("ACL 2025"); "" when S2 names none or only arXiv (where
    every preprint is). S2's ``publicationVenue.name`` is the full name; a card has room for the
    acronym S2 lists among its ``alternate_names``.

    >>> acl = {"name": "Annual Meeting of the Association for Computational Linguistics",
    ...        "alternate_names": ["Annu Meet Assoc Comput Linguistics", "ACL"]}
    >>> venue_name({"publicationVenue": acl, "venue": acl["name"], "year": 2025})
    'ACL 2025'
    >>> arxiv = {"id": ARXIV_VENUE_ID, "name": "arXiv.org", "alternate_names": ["ArXiv"]}
    >>> venue_name({"publicationVenue": arxiv, "venue": "arXiv.org", "year": 2025})
    ''
    >>> venue_name({"publicationVenue": None, "venue": "ArXiv", "year": 2024})
    ''
    >>> venue_name({"venue": "Nature", "year": 2025}), venue_name({"venue": "ICLR 2026"})
    ('Nature 2025', 'ICLR 2026')
    >>> venue_name({"venue": "", "year": 2025})
    ''
    """
    place = paper.get("publicationVenue")
    place = place if isinstance(place, dict) else {}
    if place.get("id") == ARXIV_VENUE_ID:
        return ""
    name = _text(place.get("name")) or _text(paper.get("venue"))
    if not name or name.lower().startswith("arxiv"):
        return ""
    if " " in name:
        short = [
            alt
            for alt in place.get("alternate_names") or []
            if isinstance(alt, str)
            and _ACRONYM.match(alt)
            and sum(c.isupper() for c in alt) >= 2
            and not alt.lower().startswith("arxiv")
        ]
        name = short[0] if short else name
    year = paper.get("year")
    if isinstance(year, int) and not isinstance(year, bool) and not _YEAR.search(name):
        name = f"{name} {year}"
    return name[: _MAX_LENGTH["venue"]]


def signals_of(paper: dict) -> dict[str, object]:
    """The PaperSignals fields of one S2 paper object; what S2 leaves out is absent ("" or None),
    never 0 or a guess.

    >>> signals_of({"paperId": "abc", "citationCount": 3, "influentialCitationCount": 0,
    ...             "tldr": None, "openAccessPdf": {"url": "", "status": None}})
    ... # doctest: +NORMALIZE_WHITESPACE
    {'s2_id': 'abc', 'tldr': '', 'citations': 3, 'influential_citations': 0, 'venue': '',
     'open_access_pdf': ''}
    """
    tldr = paper.get("tldr")
    pdf = paper.get("openAccessPdf")
    pdf_url = _text(pdf.get("url")) if isinstance(pdf, dict) else ""
    if (
        not pdf_url.startswith(("http://", "https://"))
        or len(pdf_url) > _MAX_LENGTH["open_access_pdf"]
    ):
        pdf_url = ""
    return {
        "s2_id": _text(paper.get("paperId"))[: _MAX_LENGTH["s2_id"]],
        "tldr": _text(tldr.get("text")) if isinstance(tldr, dict) else "",
        "citations": _count(paper.get("citationCount")),
        "influential_citations": _count(paper.get("influentialCitationCount")),
        "venue": venue_name(paper),
        "open_access_pdf": pdf_url,
    }


def _text(value) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _count(value) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return value if ok else None


def check_batch(data: object, asked: Sequence[str], url: str) -> list[dict | None]:
    """S2's answer to a batch of ``asked`` ids, checked whole before anything is stored: a list
    of the same length, each item a paper object with a ``paperId`` (of the arXiv id asked, when
    S2 says which) or null. Else :class:`SourceFailed` saying what was wrong."""
    if not isinstance(data, list):
        raise SourceFailed(
            NAME, url, f"answered a JSON {type(data).__name__} instead of a list of papers"
        )
    if len(data) != len(asked):
        raise SourceFailed(
            NAME, url, f"answered {len(data)} items for {len(asked)} ids (expected one per id)"
        )
    for position, (item, arxiv_id) in enumerate(zip(data, asked, strict=True)):
        where = f"item {position} (ARXIV:{arxiv_id})"
        if item is None:
            continue
        if not isinstance(item, dict) or not isinstance(item.get("paperId"), str):
            raise SourceFailed(NAME, url, f"{where} is not a paper object with a paperId")
        external = item.get("externalIds")
        said = external.get("ArXiv") if isinstance(external, dict) else None
        if isinstance(said, str) and said.lower() != arxiv_id.lower():
            raise SourceFailed(
                NAME, url, f"{where} is the paper of arXiv {said}: answers out of request order"
            )
    return data


# -- the run -----------------------------------------------------------------------------------


def fetch(
    options: fetching.Options,
    report: fetching.Report,
    *,
    notify: fetching.Notify,
    progress: fetching.ProgressBar,
) -> None:
    """Ask S2 for the papers due (``--id``: those; ``--force``: all; ``--limit``: the first N),
    a batch at a time, each stored before the next request."""
    now = _now(options)
    ids = (
        _requested(options.ids, report)
        if options.ids
        else due_papers(now.date(), force=options.force)
    )
    if options.limit is not None and len(ids) > options.limit:
        report.complete = False
        report.notices.append(f"{len(ids) - options.limit:,} more papers due: asked next run")
        ids = ids[: options.limit]
    if not ids:
        return
    key = settings.S2_API_KEY
    client = JsonClient(
        NAME,
        fetching.base_url(NAME, options),
        headers={"x-api-key": key} if key else None,
        delay=settings.PAPERFEED_SIGNALS_DELAY,
        sleep=pause,
        notify=notify,
        limit_retries=LIMIT_RETRIES,
    )
    try:
        with client, progress("s2 papers", total=len(ids), unit="papers") as advance:
            for start in range(0, len(ids), BATCH_SIZE):
                batch = ids[start : start + BATCH_SIZE]
                _ask(client, batch, now, report)
                advance(len(batch))
    finally:
        report.requests += client.requests


def _ask(client: JsonClient, batch: list[str], now: dt.datetime, report: fetching.Report) -> None:
    params = {"fields": FIELDS}
    reply = client.post(BATCH_PATH, params, json={"ids": [f"ARXIV:{i}" for i in batch]})
    shown = client.url(BATCH_PATH) + f"?fields={FIELDS}"
    if reply.status != 200:
        raise SourceFailed(
            NAME,
            shown,
            f"HTTP {reply.status} from the batch endpoint: is {fetching.URL_SETTINGS[NAME]} "
            "the root of S2's API (e.g. https://api.semanticscholar.org)?",
        )
    items = check_batch(reply.data, batch, shown)
    values = {
        arxiv_id: {**signals_of(item), "s2_fetched_at": now}
        if item is not None
        else {"s2_fetched_at": now}
        for arxiv_id, item in zip(batch, items, strict=True)
    }
    before = _current(batch)
    store.save_signals(values)
    found = sum(item is not None for item in items)
    report.add(
        batches=1,
        asked=len(batch),
        found=found,
        not_in_s2=len(batch) - found,
        updated=sum(
            any(before[i][f] != fields[f] for f in S2_FIELDS if f in fields)
            for i, fields in values.items()
            if i in before
        ),
    )


def _current(ids: list[str]) -> dict[str, dict]:
    """What is stored of these papers' S2 fields (a paper without signals: all absent)."""
    stored = {
        row.pop("paper_id"): row
        for row in PaperSignals.objects.filter(paper_id__in=ids).values("paper_id", *S2_FIELDS)
    }
    papers = Paper.objects.filter(arxiv_id__in=ids).values_list("arxiv_id", flat=True)
    return {arxiv_id: stored.get(arxiv_id, ABSENT) for arxiv_id in papers}


def _requested(raw: list[str], report: fetching.Report) -> list[str]:
    """``--id`` values as stored ids (versions and URL forms dropped), in the order given; ids
    of papers not stored are named in a notice and not asked (the store is the judge of an id:
    a text that does not parse is looked up as given)."""
    ids = list(dict.fromkeys(_stored_form(text) for text in raw))
    stored = set(Paper.objects.filter(arxiv_id__in=ids).values_list("arxiv_id", flat=True))
    missing = [i for i in ids if i not in stored]
    if missing:
        report.notices.append(f"not stored, not asked: {', '.join(missing)}")
    return [i for i in ids if i in stored]


def _stored_form(text: str) -> str:
    try:
        return parse_arxiv_id(text).id
    except InvalidArxivId:
        return text.strip()


def _now(options: fetching.Options) -> dt.datetime:
    """The time recorded as ``s2_fetched_at``: now, on ``options.today`` when a test sets it."""
    now = timezone.now().astimezone(dt.UTC)
    if options.today is None:
        return now
    return dt.datetime.combine(options.today, now.timetz())

"""``paperfeed fetch hf``: Hugging Face's daily papers, day by day.

``GET {PAPERFEED_HF_URL}/api/daily_papers?date=YYYY-MM-DD&limit=100&p=N`` for N = 0, 1, ... until
a page shorter than the limit (HF's default limit is 50 and a busy day holds more). The entries
become records exactly as ``paperfeed ingest`` reads an HF file
(:func:`paperfeed.ingest.hf.record_from_entry`), stored through
:func:`paperfeed.ingest.upsert.ingest` one day per transaction: papers not stored yet are added
(``papers_added``; the command then updates the search indexes), and the signals each record
carries (HF upvotes, list day, AI summary, code and its stars, project page, organisation) are
stored with them (:mod:`paperfeed.signals.carried`). A day is stored whole or not at all.

Which days: ``--date D`` that day; ``--since D`` every day from D to today, resumable: after each
stored day the cursor (``{"since", "done"}``) is saved, a rerun of the same ``--since`` starts
after ``done``, and a completed run clears it; neither --date nor --since: the last
:data:`DEFAULT_DAYS` days up to today (UTC), because votes keep coming in for a day or two after
a paper is listed. Star counts are snapshots of the fetch's day (``Options.today``, else UTC
today), whatever day listed the paper.

HF needs no token. Entries HF sends that cannot be read are reported (notices), not fatal;
a page that is not a JSON array (an ``{"error": ...}`` body, HTML, JSON cut short) stops the run
with :class:`~paperfeed.signals.http.SourceFailed` naming the URL, and the days stored before
it stay stored.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

from django.conf import settings

from paperfeed.ingest import upsert
from paperfeed.ingest.hf import record_from_entry
from paperfeed.ingest.records import PaperRecord, Rejected
from paperfeed.signals import state
from paperfeed.signals.fetching import Notify, Options, ProgressBar, Report, base_url
from paperfeed.signals.http import JsonClient, Reply, SourceFailed

NAME = "hf"
PATH = "/api/daily_papers"
PAGE_SIZE = 100
"""Entries asked per page: HF's maximum (its default is 50)."""
MAX_PAGES = 50
"""A day of more pages than this is not a day of papers: stop instead of paging forever."""
DEFAULT_DAYS = 3


def days_to_fetch(
    options: Options, today: dt.date, cursor: dict | None = None
) -> tuple[list[dt.date], dt.date | None]:
    """The list days to fetch and, when resuming an interrupted ``--since`` run, the last day
    it had stored.

    >>> d = dt.date(2026, 6, 12)
    >>> days_to_fetch(Options(), d)[0] == [dt.date(2026, 6, 10), dt.date(2026, 6, 11), d]
    True
    >>> days_to_fetch(Options(date=dt.date(2026, 6, 8)), d)
    ([datetime.date(2026, 6, 8)], None)
    >>> since = Options(since=dt.date(2026, 6, 8))
    >>> [day.day for day in days_to_fetch(since, d)[0]]
    [8, 9, 10, 11, 12]
    >>> days_to_fetch(since, d, {"since": "2026-06-08", "done": "2026-06-10"})
    ([datetime.date(2026, 6, 11), datetime.date(2026, 6, 12)], datetime.date(2026, 6, 10))
    >>> other_run = {"since": "2026-06-01", "done": "2026-06-10"}
    >>> [day.day for day in days_to_fetch(since, d, other_run)[0]]
    [8, 9, 10, 11, 12]
    """
    if options.ids or options.limit is not None:
        raise ValueError("hf takes --date or --since, not --id or --limit")
    if options.date and options.since:
        raise ValueError("give --date or --since, not both")
    first = options.date or options.since
    if first is not None and first > today:
        raise ValueError(f"{first} is after today ({today}, UTC): HF has no list for it yet")
    if options.date:
        return [options.date], None
    if options.since is None:
        return [today - dt.timedelta(days=n) for n in reversed(range(DEFAULT_DAYS))], None
    start, resumed = options.since, None
    cursor = cursor or {}
    if cursor.get("since") == options.since.isoformat() and cursor.get("done"):
        resumed = dt.date.fromisoformat(cursor["done"])
        start = max(start, resumed + dt.timedelta(days=1))
    return [start + dt.timedelta(days=n) for n in range((today - start).days + 1)], resumed


def _entries(reply: Reply, url: str) -> list:
    """The page's entries, or :class:`SourceFailed` saying what HF sent instead."""
    data = reply.data
    if reply.status in (404, 410):
        raise SourceFailed(NAME, url, f"HTTP {reply.status}: no daily papers here")
    if isinstance(data, dict) and "error" in data:
        raise SourceFailed(NAME, url, f"Hugging Face answered an error: {data['error']}")
    if not isinstance(data, list):
        raise SourceFailed(
            NAME, url, f"expected a JSON array of daily papers, got a JSON {type(data).__name__}"
        )
    return data


def _paper_id(entry) -> object:
    paper = entry.get("paper", entry) if isinstance(entry, dict) else None
    return paper.get("id") if isinstance(paper, dict) else None


def fetch_day(
    client: JsonClient, day: dt.date, page_size: int, progress: ProgressBar, notify: Notify
) -> list[tuple[str, object]]:
    """Every entry HF lists on ``day``, page after page, each with its location."""
    located: list[tuple[str, object]] = []
    seen: set = set()
    with progress(f"hf {day}", unit="entries") as advance:
        for page in itertools.count():
            if page == MAX_PAGES:
                raise SourceFailed(
                    NAME,
                    client.url(PATH),
                    f"{day} still has full pages after {MAX_PAGES} pages: stopped",
                )
            params = {"date": day.isoformat(), "limit": page_size, "p": page}
            shown = f"{client.url(PATH)}?date={day}&limit={page_size}&p={page}"
            data = _entries(client.get(PATH, params), shown)
            ids = {_paper_id(e) for e in data} - {None}
            if data and ids and ids <= seen:
                notify(f"hf {day}: page {page} repeats earlier papers (p ignored?): stopped paging")
                break
            seen |= ids
            located += [(f"hf {day} page {page} entry {n}", e) for n, e in enumerate(data, 1)]
            advance(len(data))
            if len(data) < page_size:
                break
    return located


def store_day(
    day: dt.date,
    located: list[tuple[str, object]],
    report: Report,
    *,
    stars_day: dt.date,
    fetched_at: dt.datetime,
) -> None:
    """Store one day's entries in one transaction and count what happened."""
    records: list[PaperRecord] = []
    tally: dict[str, int] = {}
    ignored = 0
    other_days: Counter[dt.date] = Counter()
    for location, entry in located:
        item = record_from_entry(entry, location)
        if isinstance(item, Rejected):
            report.notices.append(f"rejected {item}")
            continue
        signals = item.signals
        signals.stars_day, signals.fetched_at, signals.counts = stars_day, fetched_at, tally
        for problem in signals.ignored:
            report.notices.append(f"{location}: {item.arxiv_id}: {problem}")
        ignored += len(signals.ignored)
        if item.listed != day:
            other_days[item.listed] += 1
        records.append(item)
    for listed, count in sorted(other_days.items(), key=lambda kv: str(kv[0])):
        report.notices.append(f"hf {day}: {count} entries are listed on {listed or 'no day'}")
    summary = upsert.ingest(records, batch_size=max(1, len(records)))
    report.add(
        days=1,
        entries=len(located),
        papers_added=summary.new,
        papers_updated=summary.updated,
        rejected=len(located) - len(records),
        fields_ignored=ignored,
    )
    report.add(**tally)


def fetch(
    options: Options,
    report: Report,
    *,
    notify: Notify,
    progress: ProgressBar,
    page_size: int | None = None,
    **client_options,
) -> None:
    """Fetch the days :func:`days_to_fetch` names (see the module doc). ``page_size`` and
    ``client_options`` (``sleep``, ``clock``, ``now``, ``transport`` of the JSON client) are
    for tests."""
    now = client_options.get("now") or (lambda: dt.datetime.now(dt.UTC))
    today = options.today or now().date()
    cursor = state.cursor(NAME) if options.since else {}
    days, resumed = days_to_fetch(options, today, cursor)
    if resumed is not None:
        notify(f"hf: resuming --since {options.since} after {resumed} (stored by an earlier run)")
    size = page_size or PAGE_SIZE
    client = JsonClient(
        NAME,
        base_url(NAME, options),
        delay=settings.PAPERFEED_SIGNALS_DELAY,
        notify=notify,
        **client_options,
    )
    with client:
        try:
            for day in days:
                located = fetch_day(client, day, size, progress, notify)
                store_day(day, located, report, stars_day=today, fetched_at=client.now())
                if options.since:
                    state.save_cursor(
                        NAME, {"since": options.since.isoformat(), "done": day.isoformat()}
                    )
        finally:
            report.requests += client.requests
    if options.since:
        state.save_cursor(NAME, {})  # complete: the next --since run starts from its first day

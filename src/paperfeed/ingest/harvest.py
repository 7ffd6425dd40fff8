"""Live harvesting from arXiv: OAI-PMH ``ListRecords`` by set and dates, the query API by id.

Both go through one polite HTTP :class:`~paperfeed.ingest.client.Client` (delay between requests,
``Retry-After``, backoff, bounded retries, then a :class:`HarvestError` naming the request).

An OAI-PMH harvest keeps a :class:`~paperfeed.ingest.models.HarvestCheckpoint`. Each page's records
are stored by :func:`paperfeed.ingest.upsert.ingest` first, and only then is the checkpoint advanced
(resumption token, last datestamp, pages, records), so a harvest killed at any point resumes with
the saved token and never skips a record; a page stored twice is harmless (upsert is idempotent).
An expired token (``badResumptionToken``) restarts the list with ``from`` = the last harvested
datestamp, which relies on the server listing records in datestamp order, as arXiv's does.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from paperfeed.ingest import atom, oai
from paperfeed.ingest.client import (
    Client,
    HarvestError,
    HttpStatusError,
    Notify,
    request_shown,
)
from paperfeed.ingest.models import HarvestCheckpoint
from paperfeed.ingest.records import PaperRecord, Rejected, SourceError
from paperfeed.ingest.upsert import Summary, ingest
from paperfeed.papers.ids import parse_arxiv_id

__all__ = ["Client", "HarvestError", "HarvestSummary", "fetch_ids", "harvest_set"]

ID_BATCH = 100  # ids per query-API request
MAX_TOKEN_RESTARTS = 3  # badResumptionToken recoveries per run before giving up
_DATESTAMP = re.compile(rb"<(?:[\w.-]+:)?datestamp>\s*(\d{4}-\d{2}-\d{2})")


@dataclass
class HarvestSummary(Summary):
    """What a fetch stored (the upsert counts) and what it cost on the wire."""

    pages: int = 0
    requests: int = 0
    retries: int = 0
    missing_ids: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    from_date: dt.date | None = None
    until_date: dt.date | None = None

    def as_dict(self) -> dict:
        extra = {"pages": self.pages, "requests": self.requests, "retries": self.retries}
        if self.missing_ids:
            extra["missing_ids"] = self.missing_ids
        return {**super().as_dict(), **extra}


def page_datestamps(data: bytes) -> list[dt.date]:
    """Every OAI-PMH record header's ``<datestamp>`` day in a ListRecords response."""
    return [dt.date.fromisoformat(m.decode()) for m in _DATESTAMP.findall(data)]


# --- OAI-PMH --------------------------------------------------------------------------------


def _default_from(set_spec: str, today: dt.date) -> tuple[dt.date, dt.date | None]:
    """The ``until`` day of the last completed harvest of ``set_spec`` (again: OAI datestamps are
    days, and records stamped that day after the harvest ran would otherwise be skipped; storing a
    record twice changes nothing), else yesterday; and that until."""
    last = (
        HarvestCheckpoint.objects.filter(set_spec=set_spec, status=HarvestCheckpoint.DONE)
        .order_by("-until_date", "-id")
        .first()
    )
    if last is not None:
        return last.until_date, last.until_date
    return today - dt.timedelta(days=1), None


def open_checkpoint(
    set_spec: str,
    base_url: str,
    from_date: dt.date | None,
    until_date: dt.date | None,
    *,
    restart: bool = False,
    today: dt.date | None = None,
    notify: Notify = lambda message: None,
):
    """The checkpoint this run continues (an interrupted run of the same set, dates and URL) or a
    new one; ``None`` when the set is already harvested through ``until``."""
    today = today or dt.datetime.now(dt.UTC).date()
    until = until_date or today
    if from_date is not None and from_date > until:
        raise ValueError(f"from date {from_date} is after until date {until}")
    running = HarvestCheckpoint.objects.filter(set_spec=set_spec, status=HarvestCheckpoint.RUNNING)
    latest = running.first()
    if latest is not None and not restart:
        same = (
            latest.base_url == base_url
            and from_date in (None, latest.from_date)
            and until_date in (None, latest.until_date)
        )
        if same:
            where = (
                f"page {latest.pages_done + 1} with the saved resumption token"
                if latest.resumption_token
                else f"from {latest.last_datestamp or latest.from_date}"
            )
            notify(
                f"resuming the interrupted harvest of {set_spec} "
                f"({latest.from_date}..{latest.until_date}, {latest.pages_done} pages and "
                f"{latest.records} records stored): {where}"
            )
            return latest
    if latest is not None:
        why = "--restart" if restart else "a run with other dates or URL"
        notify(
            f"abandoning the interrupted harvest of {set_spec} "
            f"({latest.from_date}..{latest.until_date}) because of {why}"
        )
        running.update(status=HarvestCheckpoint.ABANDONED, message=f"abandoned by {why}")
    if from_date is None:
        from_date, covered = _default_from(set_spec, today)
        if from_date > until:  # only when an earlier run harvested beyond today's date
            notify(f"nothing to do: {set_spec} is harvested through {covered}")
            return None
    return HarvestCheckpoint.objects.create(
        set_spec=set_spec, base_url=base_url, from_date=from_date, until_date=until
    )


def _list_params(checkpoint) -> dict:
    if checkpoint.resumption_token:  # OAI-PMH 2.0 §3.5: the token is the only other argument
        return {"verb": "ListRecords", "resumptionToken": checkpoint.resumption_token}
    start = checkpoint.last_datestamp or checkpoint.from_date
    return {
        "verb": "ListRecords",
        "metadataPrefix": "arXiv",
        "set": checkpoint.set_spec,
        "from": start.isoformat(),
        "until": checkpoint.until_date.isoformat(),
    }


def _failed(checkpoint, message: str) -> HarvestError:
    """Note the failure on the checkpoint (kept for the rerun) and make the error to raise."""
    checkpoint.message = message
    checkpoint.save(update_fields=["message", "updated_at"])
    return HarvestError(message)


def _finish(checkpoint, message: str = "") -> None:
    checkpoint.status = checkpoint.DONE
    checkpoint.resumption_token = ""
    checkpoint.finished_at = timezone.now()
    checkpoint.message = message
    checkpoint.save()


def _store(
    records: Iterable,
    summary: HarvestSummary,
    batch_size: int,
    on_records: Callable[[int], None] | None,
    on_reject: Callable[[Rejected], None] | None,
) -> None:
    def progress(batch: Summary) -> None:
        if on_records:
            on_records(batch.new + batch.updated + batch.unchanged + batch.deleted)

    def rejected(item: Rejected) -> None:
        if on_records:
            on_records(1)
        if on_reject:
            on_reject(item)

    ingest(records, batch_size=batch_size, on_batch=progress, on_reject=rejected, into=summary)


def harvest_set(
    set_spec: str,
    *,
    from_date: dt.date | None = None,
    until_date: dt.date | None = None,
    restart: bool = False,
    base_url: str | None = None,
    client: Client | None = None,
    parse_page: Callable | None = None,
    today: dt.date | None = None,
    batch_size: int = 2000,
    on_records: Callable[[int], None] | None = None,
    on_reject: Callable[[Rejected], None] | None = None,
    notify: Notify | None = None,
) -> HarvestSummary:
    """Harvest an OAI-PMH set (``cs``, ``physics:hep-th``) for a date range into the store.

    Resumes an interrupted harvest of the same set and dates unless ``restart``. Raises
    :class:`HarvestError` on a network or protocol failure, with the checkpoint kept.
    """
    parse_page = parse_page or oai.parse_page
    base_url = base_url or settings.PAPERFEED_ARXIV_OAI_URL
    summary = HarvestSummary()

    def say(message: str) -> None:
        summary.notices.append(message)
        if notify:
            notify(message)

    checkpoint = open_checkpoint(
        set_spec, base_url, from_date, until_date, restart=restart, today=today, notify=say
    )
    if checkpoint is None:
        return summary
    summary.from_date, summary.until_date = checkpoint.from_date, checkpoint.until_date
    own_client = client is None
    client = client or Client()
    requests_before, retries_before = client.requests, client.retries
    token_restarts = 0
    try:
        while True:
            params = _list_params(checkpoint)
            shown = request_shown(base_url, params)
            try:
                data = client.get(base_url, params, notify=say)
                page = parse_page(data, shown)
            except HarvestError as exc:
                raise _failed(checkpoint, str(exc)) from exc
            except SourceError as exc:
                raise _failed(checkpoint, f"unreadable OAI-PMH response to {shown}: {exc}") from exc
            if page.error_code == "noRecordsMatch":
                _finish(checkpoint, "" if checkpoint.pages_done else "no records match")
                if not checkpoint.pages_done:
                    say(
                        f"no records in {set_spec} from {params.get('from')} "
                        f"until {params.get('until')}: nothing to do"
                    )
                break
            if page.error_code == "badResumptionToken" and "resumptionToken" in params:
                token_restarts += 1
                if token_restarts > MAX_TOKEN_RESTARTS:
                    raise _failed(
                        checkpoint,
                        f"resumption token refused {token_restarts} times in "
                        f"this run by {base_url}: {page.error_message}",
                    )
                restart_from = checkpoint.last_datestamp or checkpoint.from_date
                say(
                    f"resumption token expired or refused ({page.error_message or 'no reason'});"
                    f" restarting the list from {restart_from}, the last harvested datestamp"
                )
                checkpoint.resumption_token = ""
                checkpoint.message = "restarted after badResumptionToken"
                checkpoint.save()
                continue
            if page.error_code:
                raise _failed(
                    checkpoint,
                    f"OAI-PMH error {page.error_code} from {shown}: {page.error_message}",
                )
            if page.resumption_token and page.resumption_token == params.get("resumptionToken"):
                raise _failed(
                    checkpoint,
                    f"{base_url} answered resumption token {page.resumption_token!r} with the "
                    "same token again: the list would never end",
                )
            _store(page.records, summary, batch_size, on_records, on_reject)
            # the page is stored: only now may the checkpoint move past it
            stamps = page_datestamps(data)
            if stamps:
                newest = max(stamps)
                last = checkpoint.last_datestamp
                checkpoint.last_datestamp = newest if last is None else max(last, newest)
            checkpoint.pages_done += 1
            checkpoint.records += len(page.records)
            checkpoint.resumption_token = page.resumption_token or ""
            checkpoint.message = ""
            summary.pages += 1
            if not checkpoint.resumption_token:
                _finish(checkpoint)
                break
            checkpoint.save()
    finally:
        summary.requests += client.requests - requests_before
        summary.retries += client.retries - retries_before
        if own_client:
            client.close()
    return summary


# --- query API ------------------------------------------------------------------------------


def _validated_ids(ids: Iterable[str]) -> list[str]:
    """Ids as the API expects them (versioned when a version was given), first occurrence kept."""
    wanted: list[str] = []
    for text in ids:
        parsed = parse_arxiv_id(text)  # InvalidArxivId (a ValueError) names the bad id
        wanted_id = parsed.id + (f"v{parsed.version}" if parsed.version else "")
        if wanted_id not in wanted:
            wanted.append(wanted_id)
    return wanted


def _api_error(exc: HttpStatusError, parse_feed: Callable, shown: str) -> HarvestError:
    """arXiv answers a bad query with HTTP 400 and an Atom error feed: surface its message."""
    try:
        parse_feed(exc.body, shown)
    except SourceError as feed_error:
        return HarvestError(f"arXiv API refused {shown} (HTTP {exc.status}): {feed_error}")
    except Exception:  # noqa: BLE001 - not an Atom body: the HTTP message says enough
        pass
    return exc


def fetch_ids(
    ids: Iterable[str],
    base_url: str | None = None,
    *,
    client: Client | None = None,
    parse_feed: Callable | None = None,
    on_records: Callable[[int], None] | None = None,
    on_reject: Callable[[Rejected], None] | None = None,
    notify: Notify | None = None,
) -> HarvestSummary:
    """Fetch papers by arXiv id from the query API and store them; ids arXiv did not return are
    listed in ``missing_ids``. Raises ``InvalidArxivId`` for a malformed id (before any request)
    and :class:`HarvestError` on a network or API failure."""
    parse_feed = parse_feed or atom.parse_feed
    wanted = _validated_ids(ids)
    base_url = base_url or settings.PAPERFEED_ARXIV_API_URL
    summary = HarvestSummary()

    def say(message: str) -> None:
        summary.notices.append(message)
        if notify:
            notify(message)

    own_client = client is None
    client = client or Client()
    requests_before, retries_before = client.requests, client.retries
    try:
        for start in range(0, len(wanted), ID_BATCH):
            batch = wanted[start : start + ID_BATCH]
            params = {"id_list": ",".join(batch), "start": 0, "max_results": len(batch)}
            shown = request_shown(base_url, params)
            try:
                data = client.get(base_url, params, notify=say)
            except HttpStatusError as exc:
                raise _api_error(exc, parse_feed, shown) from exc
            try:
                feed = parse_feed(data, shown)
            except SourceError as exc:
                raise HarvestError(f"arXiv API error for {shown}: {exc}") from exc
            records = list(feed.records)
            returned = {r.arxiv_id for r in records if isinstance(r, PaperRecord)}
            _store(records, summary, ID_BATCH, on_records, on_reject)
            summary.pages += 1
            summary.missing_ids += [i for i in batch if _unversioned(i) not in returned]
    finally:
        summary.requests += client.requests - requests_before
        summary.retries += client.retries - retries_before
        if own_client:
            client.close()
    if summary.missing_ids:
        say(
            f"arXiv returned no paper for {len(summary.missing_ids)} id(s): "
            + ", ".join(summary.missing_ids)
        )
    return summary


def _unversioned(paper_id: str) -> str:
    return parse_arxiv_id(paper_id).id

"""GitHub: stars, forks, last push, licence and archived flag of the linked repositories
(``paperfeed fetch github``).

A run first links the papers whose text was never read for code (:func:`code.backfill`: an
install older than code links gets them on its first fetch), then asks
``GET {PAPERFEED_GITHUB_API_URL}/repos/{owner}/{repo}`` for each GitHub repository that is due,
the stalest first: never fetched, then the oldest ``fetched_at``. A repository fetched less
than :data:`REFRESH` ago is not due (stars are kept as one snapshot a day), one that was gone
after :data:`GONE_REFRESH` (``--force``: all of them now). GitLab projects and Hugging Face
artifacts are linked but not fetched here: their hosts' APIs are other APIs.

What each answer means:

- 200: stored (``stars`` also as today's snapshot); a fork keeps its parent's name
  (``fork_of``); ``license`` is the SPDX id, empty for ``NOASSERTION`` or none. A body whose
  ``full_name`` is another repository's (GitHub answered a 301 for a renamed or transferred
  repository, which the client followed) sets ``renamed_to``; one that differs only in case
  corrects the stored name.
- 304 to our ``If-None-Match`` (the ETag of the last answer): unchanged, and free — GitHub
  does not count it against the rate limit. The stored stars are still today's snapshot.
- 404/410: ``gone`` (deleted, made private): the paper no longer "has code" through it; so
  is a 451 or a 403 that is no rate limit (access to that one repository blocked), counted
  ``blocked``, so that one such repository does not stop every run.
- 403/429 rate limits: :class:`~paperfeed.signals.http.RateLimited` stops the run; what was
  done is stored and counted, the source is paused until ``x-ratelimit-reset`` /
  ``Retry-After``, and the next run resumes with the stalest — the ones not done.

Resumable without a cursor: every repository is stored in its own transaction, and what is
due follows from ``fetched_at``. Unauthenticated, GitHub allows 60 requests an hour;
``GITHUB_TOKEN`` makes it 5,000.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.conf import settings
from django.db.models import F, Q, QuerySet

from paperfeed.papers.ids import InvalidArxivId, parse_arxiv_id
from paperfeed.papers.models import Paper
from paperfeed.signals import code, fetching, store
from paperfeed.signals.http import JsonClient, RateLimited, SourceFailed
from paperfeed.signals.models import Repository

NAME = "github"
API_VERSION = "2022-11-28"
REFRESH = dt.timedelta(hours=20)
"""Fetched less than this long ago: not due (a daily run may start a little earlier)."""
GONE_REFRESH = dt.timedelta(days=30)
"""A repository that answered 404 is asked again after this long (it may come back public)."""
NO_LICENSE = {"", "NOASSERTION"}
BLOCKED = (403, 451)
"""Statuses about one repository (access blocked, a DMCA takedown), not about us: the
repository counts as gone and the run goes on — unless the message names a rate limit."""
SECONDARY_PAUSE = dt.timedelta(minutes=1)
"""GitHub: a secondary rate limit without ``Retry-After`` means "wait at least a minute"."""

pause: Callable[[float], None] = time.sleep
"""How the client waits (pacing, backoff); tests replace it."""
utcnow: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)  # noqa: E731
"""The clock (fetch times, rate-limit pauses); tests replace it."""


def request_headers(token: str = "") -> dict[str, str]:
    """The headers GitHub asks REST clients to send, with the token when there is one.

    >>> sorted(request_headers("t"))
    ['Accept', 'Authorization', 'X-GitHub-Api-Version']
    >>> request_headers()["Accept"]
    'application/vnd.github+json'
    """
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def due(now: dt.datetime, *, paper_ids=(), force: bool = False) -> QuerySet[Repository]:
    """The GitHub repositories to fetch, the stalest first (never fetched, then oldest);
    ``paper_ids``: only those linked to these papers."""
    repos = Repository.objects.filter(kind=Repository.GITHUB)
    if paper_ids:
        repos = repos.filter(paper_links__paper_id__in=list(paper_ids)).distinct()
    if not force:
        repos = repos.filter(
            Q(fetched_at__isnull=True)
            | (Q(fetched_at__lt=now - REFRESH) & ~Q(status=Repository.GONE))
            | Q(fetched_at__lt=now - GONE_REFRESH, status=Repository.GONE)
        )
    return repos.order_by(F("fetched_at").asc(nulls_first=True), "pk")


def parse_repository(data: object, url: str) -> dict:
    """The fields we keep from a repository object; :class:`SourceFailed` naming what is
    missing when ``data`` is not one.

    >>> parse_repository({"full_name": "a/b", "stargazers_count": 7, "forks_count": 1,
    ...     "pushed_at": "2024-12-19T12:01:11Z", "license": {"spdx_id": "NOASSERTION"},
    ...     "archived": False, "fork": True, "parent": {"full_name": "c/b"}}, "u")["fork_of"]
    'c/b'
    """
    if not isinstance(data, dict):
        raise SourceFailed(NAME, url, f"expected a repository object, got {type(data).__name__}")
    full_name = data.get("full_name")
    stars = data.get("stargazers_count")
    if not isinstance(full_name, str) or "/" not in full_name:
        raise SourceFailed(NAME, url, "the repository object has no full_name")
    if not isinstance(stars, int) or isinstance(stars, bool) or stars < 0:
        raise SourceFailed(NAME, url, f"{full_name}: stargazers_count is {stars!r}")
    forks = data.get("forks_count")
    license_ = data.get("license") if isinstance(data.get("license"), dict) else {}
    spdx = license_.get("spdx_id") or ""
    parent = data.get("parent") if isinstance(data.get("parent"), dict) else {}
    return {
        "full_name": full_name,
        "stars": stars,
        "forks": forks if isinstance(forks, int) and forks >= 0 else None,
        "pushed_at": _timestamp(data.get("pushed_at"), full_name, url),
        "license": "" if spdx in NO_LICENSE else str(spdx)[:100],
        "archived": bool(data.get("archived")),
        "fork_of": str(parent.get("full_name") or "") if data.get("fork") else "",
    }


def _timestamp(value: object, full_name: str, url: str) -> dt.datetime | None:
    if value in (None, ""):
        return None  # an empty repository has never been pushed to
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise SourceFailed(NAME, url, f"{full_name}: pushed_at {value!r} is not a time") from None


def _stored_ids(raw: list[str], report: fetching.Report) -> list[str]:
    """The papers of ``--id`` as stored (``2506.04142v1`` is 2506.04142); the others are named
    in a notice."""
    ids = []
    for text in raw:
        try:
            ids.append(parse_arxiv_id(text).id)
        except InvalidArxivId:
            ids.append(text.strip())
    stored = set(Paper.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [i for i in dict.fromkeys(ids) if i not in stored]
    if missing:
        report.notices.append(f"github: not stored, not asked: {', '.join(missing)}")
    return [i for i in ids if i in stored]


def refresh(client: JsonClient, repo: Repository, day: dt.date, now: dt.datetime) -> str:
    """Ask GitHub about ``repo`` and store the answer; returns what happened: ``updated``,
    ``not_modified``, ``renamed``, ``gone`` or ``blocked``."""
    reply = client.get(f"repos/{repo.name}", etag=repo.etag)
    if reply.not_modified:
        store.update_repository(repo, day, fetched_at=now, stars=repo.stars)
        return "not_modified"
    if reply.status in (404, 410):
        store.update_repository(repo, day, status=Repository.GONE, fetched_at=now, etag="")
        return "gone"
    if reply.status in BLOCKED:
        message = reply.data.get("message", "") if isinstance(reply.data, dict) else ""
        if "rate limit" in str(message).lower():
            raise RateLimited(
                NAME,
                client.url(f"repos/{repo.name}"),
                f"rate limited (HTTP {reply.status}): {message!r}",
                now + SECONDARY_PAUSE,
                named=False,
            )
        store.update_repository(repo, day, status=Repository.GONE, fetched_at=now, etag="")
        return "blocked"
    fields = parse_repository(reply.data, client.url(f"repos/{repo.name}"))
    full_name = fields.pop("full_name")
    renamed = full_name.lower() != repo.name.lower()
    if renamed:
        fields["renamed_to"] = full_name
    else:  # the same repository: keep the host's spelling
        fields.update(name=full_name, renamed_to="")
    store.update_repository(
        repo, day, status=Repository.OK, etag=reply.etag[:200], fetched_at=now, **fields
    )
    return "renamed" if renamed else "updated"


def fetch(
    options: fetching.Options,
    report: fetching.Report,
    *,
    notify: fetching.Notify,
    progress: fetching.ProgressBar,
) -> None:
    base_url = fetching.base_url(NAME, options)
    now = utcnow()
    day = options.today or now.date()
    with progress("github: papers' text read for code", unit="papers") as advance:
        report.add(**{key: n for key, n in code.backfill(advance).items() if n})
    paper_ids = _stored_ids(options.ids, report) if options.ids else []
    if options.ids and not paper_ids:
        return
    pending = due(now, paper_ids=paper_ids, force=options.force)
    total = pending.count()
    repos = list(pending[: options.limit] if options.limit else pending)
    report.complete = len(repos) == total
    done = 0
    client = JsonClient(
        NAME,
        base_url,
        headers=request_headers(settings.GITHUB_TOKEN),
        delay=settings.PAPERFEED_SIGNALS_DELAY,
        sleep=pause,
        now=utcnow,
        notify=notify,
        answered=BLOCKED,
    )
    try:
        with progress("github repositories", total=len(repos), unit="repos") as advance:
            for repo in repos:
                outcome = refresh(client, repo, day, utcnow())
                done += 1
                report.add(repositories=1, **{outcome: 1})
                report.requests = client.requests
                advance(1)
    except RateLimited:
        report.complete = False
        report.notices.append(
            f"github: rate limited after {done:,} of {len(repos):,} repositories; "
            "the next run after the pause resumes with the rest"
        )
        notify(report.notices[-1])
        raise
    finally:
        report.requests = client.requests
        client.close()
    if not report.complete:
        report.notices.append(
            f"github: {total - len(repos):,} more repositories due (--limit {options.limit})"
        )

"""The polite JSON client every signal source uses (Hugging Face, GitHub, Semantic Scholar, PwC).

- a clear User-Agent, the source's token header, at least ``delay`` seconds between requests;
- rate limits stop the run instead of spinning: a 429, or a 403 with ``x-ratelimit-remaining: 0``,
  raises :class:`RateLimited` with the time the service named (``Retry-After``: seconds or an
  HTTP date; ``x-ratelimit-reset``: epoch seconds), else ``now + DEFAULT_PAUSE`` — the caller
  records it and the next run resumes after it. A service whose 429s name no time and pass in
  seconds (Semantic Scholar's shared pool) can ask for ``limit_retries``: that many tries with
  exponential backoff (``limit_backoff``, doubled each time) before :class:`RateLimited`;
- connection errors and 5xx are retried ``max_retries`` times with exponential backoff, then
  :class:`SourceFailed`;
- conditional requests: ``etag=`` sends ``If-None-Match``; a 304 answers ``not_modified``;
- a body that is not JSON (an HTML error page, a cut-short download) is :class:`SourceFailed`
  naming the source, the URL and what was wrong. Statuses the source must interpret (404) come
  back as a :class:`Reply`.

``sleep``, ``clock``, ``now`` and ``transport`` are injectable: tests never wait.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

import httpx
import orjson

from paperfeed.ingest.client import (
    Pacer,
    backoff_seconds,
    request_shown,
    retry_after_seconds,
    user_agent,
)

TIMEOUT = httpx.Timeout(60.0, connect=20.0)
MAX_RETRIES = 3
MAX_BACKOFF = 120.0
DEFAULT_PAUSE = dt.timedelta(minutes=15)
"""How long to pause a source that said "too many requests" without saying until when."""
SNIPPET = 200

Notify = Callable[[str], None]


class SourceFailed(Exception):
    """A request to a source failed in a way the run cannot go past; the message names the
    source, the URL and what was wrong."""

    def __init__(self, source: str, url: str, problem: str):
        super().__init__(f"{source}: {problem} ({url})")
        self.source, self.url, self.problem = source, url, problem


class RateLimited(SourceFailed):
    """The source asked us to stop until ``until`` (UTC); ``named``: the service said until
    when (``Retry-After``, ``x-ratelimit-reset``), False when ``until`` is our default pause."""

    def __init__(self, source: str, url: str, problem: str, until: dt.datetime, named: bool = True):
        super().__init__(source, url, f"{problem}; paused until {until:%Y-%m-%d %H:%M:%S} UTC")
        self.until, self.named = until, named


@dataclass
class Reply:
    status: int
    url: str
    """The URL finally answered (after redirects)."""
    data: object = None
    headers: dict = field(default_factory=dict)
    not_modified: bool = False

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")


def _snippet(body: bytes) -> str:
    text = body[:SNIPPET].decode("utf-8", "replace")
    return " ".join(text.split())


def decode_json(source: str, url: str, response: httpx.Response) -> object:
    """The JSON body of ``response``, or :class:`SourceFailed` saying what it was instead."""
    body = response.content
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if not body.strip():
        raise SourceFailed(source, url, f"HTTP {response.status_code} with an empty body")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        head = body.lstrip()[:1]
        if head == b"<" or kind == "text/html":
            problem = (
                f"answered HTML instead of JSON ({kind or 'no content type'}): {_snippet(body)!r}"
            )
        elif head in (b"{", b"["):
            problem = f"the JSON is cut short or broken ({len(body):,} bytes; {exc})"
        else:
            problem = f"the body is not JSON ({kind or 'no content type'}): {_snippet(body)!r}"
        raise SourceFailed(source, url, f"HTTP {response.status_code}: {problem}") from None


def rate_limit_until(response: httpx.Response, now: dt.datetime) -> dt.datetime | None:
    """When a rate-limited ``response`` lets us go on; None if it is not a rate limit.

    GitHub: 403 or 429 with ``x-ratelimit-remaining: 0`` → ``x-ratelimit-reset`` (epoch s);
    a secondary limit (403/429 with ``retry-after``) → that many seconds; any 429 without
    either header → ``now + DEFAULT_PAUSE``.
    """
    status, headers = response.status_code, response.headers
    if status not in (403, 429):
        return None
    asked = retry_after_seconds(headers.get("retry-after"), now)
    if asked is not None:
        return now + dt.timedelta(seconds=asked)
    if headers.get("x-ratelimit-remaining", "").strip() == "0":
        reset = headers.get("x-ratelimit-reset", "").strip()
        if reset.isdigit():
            return max(now, dt.datetime.fromtimestamp(int(reset), dt.UTC))
        return now + DEFAULT_PAUSE
    if status == 429:
        return now + DEFAULT_PAUSE
    return None


class JsonClient:
    """JSON over HTTP for one source (``source`` names it in every error)."""

    def __init__(
        self,
        source: str,
        base_url: str,
        *,
        headers: dict | None = None,
        delay: float = 1.0,
        max_retries: int = MAX_RETRIES,
        timeout: httpx.Timeout | float = TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        transport: httpx.BaseTransport | None = None,
        notify: Notify | None = None,
        limit_retries: int = 0,
        limit_backoff: float = 1.0,
        answered: Collection[int] = (),
    ):
        self.source = source
        self.base_url = base_url.rstrip("/")
        self.delay = max(0.0, delay)
        self.max_retries = max_retries
        self.limit_retries, self.limit_backoff = limit_retries, limit_backoff
        self.answered = frozenset(answered)
        """More 4xx statuses the source interprets itself (GitHub's 451 for one blocked
        repository), answered as a Reply carrying the body's JSON, if any, after the
        rate-limit check."""
        self.sleep, self.clock, self.now = sleep, clock, now
        self.notify = notify
        self.requests = 0
        self.retries = 0
        self.pacer = Pacer(self.delay, clock, sleep)
        self._http = httpx.Client(
            headers={"User-Agent": user_agent(), "Accept": "application/json", **(headers or {})},
            timeout=timeout,
            transport=transport,
            follow_redirects=True,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> JsonClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def url(self, path: str) -> str:
        return (
            path
            if path.startswith(("http://", "https://"))
            else f"{self.base_url}/{path.lstrip('/')}"
        )

    def get(self, path: str, params: dict | None = None, *, etag: str = "") -> Reply:
        return self.request("GET", path, params, etag=etag)

    def post(self, path: str, params: dict | None = None, *, json: object = None) -> Reply:
        return self.request("POST", path, params, json=json)

    def request(
        self, method: str, path: str, params: dict | None = None, *, etag: str = "", json=None
    ) -> Reply:
        """A JSON reply with status < 400 or 404/410; raises :class:`RateLimited` or
        :class:`SourceFailed` otherwise, after retrying what retrying can fix."""
        url = self.url(path)
        shown = request_shown(url, params)
        extra = {"If-None-Match": etag} if etag else {}
        attempt = limited = 0
        while True:
            self.pacer.wait_turn()
            self.requests += 1
            try:
                response = self._http.request(method, url, params=params, headers=extra, json=json)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc or 'connection failed'}"
            else:
                self.pacer.done()
                try:
                    reply = self._reply(response, shown)
                except RateLimited as exc:
                    if exc.named or limited >= self.limit_retries:
                        raise
                    wait = backoff_seconds(limited, self.limit_backoff, MAX_BACKOFF)
                    limited += 1
                    self._backoff(f"HTTP {response.status_code} (rate limited)", shown, wait)
                    continue
                if reply is not None:
                    return reply
                problem = f"HTTP {response.status_code} {response.reason_phrase}"
            self.pacer.done()
            if attempt == self.max_retries:
                raise SourceFailed(
                    self.source, shown, f"gave up after {attempt + 1} tries; last: {problem}"
                )
            self._backoff(
                problem, shown, backoff_seconds(attempt, max(self.delay, 1.0), MAX_BACKOFF)
            )
            attempt += 1

    def _backoff(self, problem: str, shown: str, wait: float) -> None:
        self.retries += 1
        if self.notify:
            self.notify(f"{self.source}: {problem} from {shown}; retrying in {wait:g} s")
        self.sleep(wait)

    def _reply(self, response: httpx.Response, shown: str) -> Reply | None:
        """The reply to return, None to retry (5xx), or raise."""
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        final = str(response.url)
        if status == 304:
            return Reply(status, final, None, headers, not_modified=True)
        until = rate_limit_until(response, self.now())
        if until is not None:
            raise RateLimited(
                self.source,
                shown,
                f"rate limited (HTTP {status}): {_snippet(response.content)!r}",
                until,
                named="retry-after" in headers or "x-ratelimit-reset" in headers,
            )
        if status >= 500:
            return None
        if status in (404, 410):
            return Reply(status, final, None, headers)
        if status in self.answered:
            try:
                data = orjson.loads(response.content) if response.content.strip() else None
            except orjson.JSONDecodeError:
                data = None
            return Reply(status, final, data, headers)
        if status >= 400:
            raise SourceFailed(
                self.source,
                shown,
                f"HTTP {status} {response.reason_phrase}: {_snippet(response.content)!r}",
            )
        return Reply(status, final, decode_json(self.source, shown, response), headers)

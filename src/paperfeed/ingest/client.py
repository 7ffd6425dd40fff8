"""A polite HTTP GET for arXiv's services, shared by every network fetch.

A clear User-Agent, at least ``PAPERFEED_HARVEST_DELAY`` seconds between the end of one request
and the start of the next, ``Retry-After`` honoured on 503/429 (arXiv's OAI-PMH flow control,
seconds or an HTTP date, capped at ``MAX_WAIT``), exponential backoff from the harvest delay on
connection errors and other 5xx, at most ``MAX_RETRIES`` retries, then a :class:`HarvestError`
that names the request. ``sleep``, ``clock`` and ``now`` are injectable, so tests never wait.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from collections.abc import Callable
from urllib.parse import urlencode

import httpx
from django.conf import settings

from paperfeed import __version__

MAX_RETRIES = 5  # retries of one request before giving up
MAX_WAIT = 300.0  # seconds: cap on a Retry-After or backoff wait
TIMEOUT = httpx.Timeout(120.0, connect=20.0)  # arXiv builds big OAI pages slowly
RETRY_STATUSES = {429, 500, 502, 503, 504}

Notify = Callable[[str], None]


class HarvestError(Exception):
    """The fetch cannot go on (network, HTTP or protocol error); the message names the request."""


class HttpStatusError(HarvestError):
    """A response with an error status that retrying will not fix (4xx)."""

    def __init__(self, message: str, status: int, body: bytes):
        super().__init__(message)
        self.status = status
        self.body = body


def user_agent() -> str:
    """``paperfeed/<version> (+self-hosted; mailto:...)``: arXiv asks harvesters to identify."""
    contact = settings.PAPERFEED_CONTACT_EMAIL.strip()
    return f"paperfeed/{__version__} (+self-hosted" + (f"; mailto:{contact})" if contact else ")")


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """Seconds asked for by a ``Retry-After`` header: delay-seconds or an HTTP-date.

    RFC 9110 §10.2.3: ``Retry-After = HTTP-date / delay-seconds``. A date in the past means 0;
    an unreadable value means None (the caller falls back to backoff).
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_seconds(retry: int, base: float, cap: float = MAX_WAIT) -> float:
    """Exponential backoff before retry number ``retry`` (0-based): ``min(cap, base * 2**retry)``."""
    return min(cap, base * 2**retry)


class Pacer:
    """At least ``delay`` seconds between the end of one request and the start of the next
    (every network client of paperfeed: arXiv here, the signal sources in
    :mod:`paperfeed.signals.http`)."""

    def __init__(self, delay: float, clock: Callable[[], float], sleep: Callable[[float], None]):
        self.delay, self.clock, self.sleep = max(0.0, delay), clock, sleep
        self._last_done: float | None = None

    def wait_turn(self) -> None:
        if self._last_done is None or self.delay <= 0:
            return
        remaining = self.delay - (self.clock() - self._last_done)
        if remaining > 0:
            self.sleep(remaining)

    def done(self) -> None:
        """A request just ended (answered or failed)."""
        self._last_done = self.clock()


def request_shown(url: str, params: dict | None) -> str:
    return f"{url}?{urlencode(params)}" if params else url


class Client:
    """A polite HTTP GET for arXiv; ``sleep``, ``clock`` and ``now`` are injectable for tests."""

    def __init__(
        self,
        *,
        delay: float | None = None,
        max_retries: int = MAX_RETRIES,
        max_wait: float = MAX_WAIT,
        timeout: httpx.Timeout | float = TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        transport: httpx.BaseTransport | None = None,
    ):
        if delay is None:
            delay = float(settings.PAPERFEED_HARVEST_DELAY)
        self.delay = max(0.0, delay)
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.sleep, self.clock, self.now = sleep, clock, now
        self.backoff_base = self.delay if self.delay > 0 else 0.0
        self.requests = 0
        self.retries = 0
        self.pacer = Pacer(self.delay, clock, sleep)
        self._http = httpx.Client(
            headers={"User-Agent": user_agent()},
            timeout=timeout,
            transport=transport,
            follow_redirects=True,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str, params: dict | None = None, *, notify: Notify | None = None) -> bytes:
        """The body of a 2xx answer to ``GET url?params``, after any waits and retries it took."""
        shown = request_shown(url, params)
        for attempt in range(self.max_retries + 1):
            self.pacer.wait_turn()
            self.requests += 1
            try:
                response = self._http.get(url, params=params)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc or 'connection failed'}"
                wait = backoff_seconds(attempt, self.backoff_base, self.max_wait)
            else:
                status = response.status_code
                if status < 400:
                    self.pacer.done()
                    return response.content
                if status not in RETRY_STATUSES:
                    self.pacer.done()
                    snippet = response.text[:300].strip()
                    raise HttpStatusError(
                        f"HTTP {status} {response.reason_phrase} from {shown}"
                        + (f": {snippet}" if snippet else ""),
                        status,
                        response.content,
                    )
                problem = f"HTTP {status} {response.reason_phrase}"
                asked = retry_after_seconds(response.headers.get("Retry-After"), self.now())
                if asked is not None:
                    problem += f" (Retry-After: {response.headers['Retry-After']})"
                    wait = min(asked, self.max_wait)
                else:
                    wait = backoff_seconds(attempt, self.backoff_base, self.max_wait)
            self.pacer.done()
            if attempt == self.max_retries:
                raise HarvestError(f"gave up on {shown} after {attempt + 1} tries; last: {problem}")
            self.retries += 1
            if notify:
                notify(
                    f"{problem}; waiting {wait:g} s before retry {attempt + 1} of {self.max_retries}"
                )
            self.sleep(wait)  # counts towards the delay before the next request
        raise AssertionError("unreachable")  # pragma: no cover

"""Anonymous pages served from a cache, and conditional GET (ETag, Last-Modified, 304).

Which requests: GET and HEAD of the routes in :data:`ROUTES` (the list pages, the paper page,
the RSS/Atom feeds of ``web/feeds.py``, the API's lists and papers). A response is served from
and stored in the cache only for a client that is anonymous without asking the session: no
session cookie, no messages cookie, no ``Authorization`` header, not an htmx request
(:func:`anonymous`). Such a client gets no personalisation (vote state, seen papers, for you,
mutes), so one rendering serves all of them.

What is stored (:func:`storable`): a 200 the view answered, no cookie set, no CSRF token used
(``CSRF_COOKIE_NEEDS_UPDATE``: a page with a form token stays per client), no session or
message written, no ``Vary`` or ``private``/``no-store`` from the view, at most
:data:`MAX_BYTES`. Error pages are never stored. The middleware sits last, so a hit still passes
through every other middleware (security headers, CSP, request log).

Invalidation: keys carry version tokens (:func:`version`), read once per cacheable request
(one round trip) from a store every process shares — Redis when ``REDIS_URL`` is set, else a
file cache of the node (``$PAPERFEED_HOME/page-versions``) — while the pages themselves live in
the ``pages`` cache alias (Redis, or each process's local memory). A key carries two tokens: the
global one and its request's **scope**'s (:func:`scope_of`): ``paper:ID`` for the routes that
show one paper and nothing of another paper that a vote changes (:data:`PAPER_ROUTES`: the paper
page, whose similar papers show no counts, and the API's paper), ``lists`` for every other route.
:func:`changed` replaces the global token; :func:`paper_changed` (a vote on one paper) replaces
that paper's and the lists' tokens only, so the pages of every other paper stay cached. Both
replace now and again when the writer's transaction commits (a request rendering between the two
would otherwise store the old rows under the new token). Writers call them: a vote, a comment,
an ingested batch, a signals refresh, a hide, a submitted paper entering the feed, index
updates, and any save or delete of a model of the papers, community, signals, claims and orgs
apps (:mod:`paperfeed.ops.apps` connects these; a vote row is paper-scoped, a login's
``last_login`` shows nowhere). A missing token is replaced by a new random one, never by an old
value, so a culled token cannot bring back old pages. A paper's token is written only by a
change to it and lapses after twice ``PAPERFEED_PAGE_CACHE_SECONDS`` plus two minutes, when
every page stored under the state before it has expired (:data:`PAPER_TOKEN_MARGIN`): the store
holds tokens of recently voted papers only, whatever number of papers is read. No token may be
culled early (the file cache's ``MAX_ENTRIES`` is far above that number; Redis keeps its default
``noeviction``). Entries expire after ``PAPERFEED_PAGE_CACHE_SECONDS`` in any case
(time-dependent orders such as trending decay).

Conditional GET (RFC 9110 §13): every 200 of these routes gets a strong ``ETag`` (MD5 of the
body) and ``Cache-Control: no-cache`` (clients revalidate every time); a cached one also gets
``Last-Modified``, the time it was rendered. ``If-None-Match`` (which wins when both are sent)
and ``If-Modified-Since`` are answered 304 by Django's ``get_conditional_response``.
``Last-Modified`` has one-second resolution: a change within the second of a rendering is seen
through ``If-None-Match`` only.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from paperfeed.papers.ids import InvalidArxivId, parse_arxiv_id

log = logging.getLogger(__name__)

PAGES = "pages"  # the cache alias of the stored responses (settings.CACHES)
VERSIONS = "page_versions"  # the alias of the version token every process shares
VERSION_KEY = "paperfeed:pages:version"
MAX_BYTES = 1_000_000  # larger responses are not stored (a locmem entry stays in each process)
MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage.cookie_name

ROUTES = frozenset(
    {
        # pages
        "home",
        "day",
        "week",
        "month",
        "trending",
        "category",
        "author",
        "user",
        "paper",
        # web/feeds.py: daily, trending, category, search, user; Atom and RSS
        *(
            f"feed-{name}-{kind}"
            for name in ("daily", "trending", "category", "search", "user")
            for kind in ("atom", "rss")
        ),
        # the API's lists and papers (HF-compatible and /api/v1/)
        "api:daily_papers",
        "api:paper_info",
        "api:daily",
        "api:weekly",
        "api:monthly",
        "api:trending",
        "api:get_paper",
        "api:similar_papers",
    }
)
"""Route names (``resolver_match.view_name``) whose responses are cached and conditional."""

PAPER_ROUTES = frozenset({"paper", "api:paper_info", "api:get_paper"})
"""Routes that show one paper and no count of any other (scope ``paper:ID``): a vote on another
paper keeps them cached. Every other route of :data:`ROUTES` is in scope ``lists``."""
LISTS = "lists"


def seconds() -> float:
    """How long a stored response lives (``PAPERFEED_PAGE_CACHE_SECONDS``; 0: no cache)."""
    return float(getattr(settings, "PAPERFEED_PAGE_CACHE_SECONDS", 0))


# -- the version tokens --------------------------------------------------------------------
def paper_scope(paper_id: str) -> str:
    """The scope of one paper's pages; any spelling of the id (a version, old style) is one.
    What is no arXiv id names no paper (its 404 is never stored): the lists' scope, so that no
    client's text becomes a key of the shared store."""
    try:
        return "paper:" + parse_arxiv_id(paper_id).id
    except InvalidArxivId:
        return LISTS


def scope_of(request) -> str:
    """``paper:ID`` for :data:`PAPER_ROUTES`, else ``lists``."""
    match = request.resolver_match
    if match.view_name in PAPER_ROUTES:
        return paper_scope(match.kwargs.get("arxiv_id") or match.kwargs.get("paper_id") or "")
    return LISTS


def _scope_key(scope: str) -> str:
    return f"{VERSION_KEY}:{scope}"


PAPER_TOKEN_MARGIN = 120.0
"""Seconds a paper's token outlives the pages stored under the token before it: more than any
request takes (gunicorn's timeout is 60 s), so a page rendered from rows read before the change
but stored after it has expired too when the token lapses."""
UNCHANGED = "0"
"""A paper's part of the key while its token is absent: no change to the paper is that recent."""


def _kept(key_: str) -> bool:
    return key_ in (VERSION_KEY, _scope_key(LISTS))


def _timeout(key_: str) -> float | None:
    """The global and the lists' tokens are kept; a paper's lapses once every page stored
    before it was written has expired (:data:`PAPER_TOKEN_MARGIN`)."""
    return None if _kept(key_) else 2 * seconds() + PAPER_TOKEN_MARGIN


def version(scope: str | None = None) -> str:
    """The current global token, joined with ``scope``'s when given (one round trip).

    The global and the lists' tokens, when the store lacks them (first use, culled), become a
    new random one, never an old value.  A paper's token is only ever written by a change to
    that paper (:func:`paper_changed`), never by a read, so reading the pages of many papers
    adds nothing to the store; while it is absent the key says :data:`UNCHANGED`."""
    store = caches[VERSIONS]
    keys = [VERSION_KEY, *([_scope_key(scope)] if scope else [])]
    tokens = store.get_many(keys)
    missing = [k for k in keys if k not in tokens and _kept(k)]
    if missing:
        for key_ in missing:
            store.add(key_, secrets.token_hex(8), timeout=None)
        tokens = store.get_many(keys)
    return ".".join(tokens.get(k, UNCHANGED) for k in keys)


def _replacer(keys: tuple[str, ...]):
    def replace() -> None:
        try:
            store = caches[VERSIONS]
            for key_ in keys:
                store.set(key_, secrets.token_hex(8), timeout=_timeout(key_))
        except Exception:  # noqa: BLE001 - the change is stored; pages then expire by age
            log.warning("page cache version not replaced", exc_info=True)

    return replace


def _replace_now_and_on_commit(keys: tuple[str, ...]) -> None:
    replace = _replacer(keys)
    replace()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(replace)


def changed(reason: str = "") -> None:
    """Something every anonymous page may show changed: no stored page is served again.

    Replaces the global token now and, inside a transaction, again once it commits."""
    _replace_now_and_on_commit((VERSION_KEY,))


def paper_changed(paper_id: str, reason: str = "") -> None:
    """Something of one paper that its own pages and the lists show changed (its vote count):
    the pages of other papers stay cached. Now and, inside a transaction, on commit."""
    _replace_now_and_on_commit((_scope_key(paper_scope(paper_id)), _scope_key(LISTS)))


# -- which requests and responses ----------------------------------------------------------
def cacheable_route(request) -> bool:
    match = request.resolver_match
    return request.method in ("GET", "HEAD") and match is not None and match.view_name in ROUTES


def anonymous(request) -> bool:
    """Anonymous for certain, without loading a session: nothing personal can be on its pages."""
    cookies = request.COOKIES
    return not (
        settings.SESSION_COOKIE_NAME in cookies
        or MESSAGES_COOKIE in cookies
        or "HTTP_AUTHORIZATION" in request.META
        or "HTTP_HX_REQUEST" in request.META
    )


def storable(request, response) -> bool:
    """May this response be served to any other anonymous client? (module docstring)"""
    session = getattr(request, "session", None)
    messages = getattr(request, "_messages", None)
    cache_control = response.get("Cache-Control", "")
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
        and not (messages is not None and getattr(messages, "added_new", False))
        and not response.has_header("Vary")
        and "private" not in cache_control
        and "no-store" not in cache_control
        and len(response.content) <= MAX_BYTES
    )


def key(request, token: str) -> str:
    """The stored response's key: version token, scheme, host and full path (feeds and the
    API write absolute links, so the host is part of what a response says)."""
    where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return (
        f"paperfeed:page:{token}:{hashlib.md5(where.encode(), usedforsecurity=False).hexdigest()}"
    )


def etag_of(content: bytes) -> str:
    return '"' + hashlib.md5(content, usedforsecurity=False).hexdigest() + '"'


# -- stored responses ----------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    content: bytes
    headers: tuple[tuple[str, str], ...]  # the view's own headers (Content-Type, ...)
    etag: str
    rendered: float  # Unix time of the rendering: Last-Modified


def entry_of(response, now: float) -> Entry:
    headers = tuple((k, v) for k, v in response.headers.items() if k.lower() != "etag")
    return Entry(response.content, headers, etag_of(response.content), now)


def response_of(entry: Entry) -> HttpResponse:
    response = HttpResponse(entry.content)
    for name, value in entry.headers:
        response.headers[name] = value
    return response


def conditional(request, response, *, etag: str, rendered: float | None):
    """Validators and revalidation on ``response``; a 304 when the client's copy is current."""
    response.headers["ETag"] = etag
    if rendered is not None:
        response.headers["Last-Modified"] = http_date(rendered)
    elif response.has_header("Last-Modified"):
        del response.headers["Last-Modified"]  # a feed's newest item date misses reorderings
    patch_cache_control(response, no_cache=True)
    patch_vary_headers(response, ("Cookie", "Authorization"))
    return get_conditional_response(
        request, etag=etag, last_modified=int(rendered) if rendered else None, response=response
    )


@dataclass
class Plan:
    key: str | None  # where to store the response; None: serve it uncached
    hit: bool = False


class PageCacheMiddleware:
    """Last in MIDDLEWARE: answers anonymous requests of :data:`ROUTES` from the cache and
    stores what they render; adds ETag and answers 304 for every request of these routes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        plan = getattr(request, "_page_cache", None)
        if plan is None or plan.hit:
            return response
        if response.status_code != 200 or response.streaming:
            return response
        stored = None
        if plan.key is not None and storable(request, response):
            stored = entry_of(response, time.time())
            try:
                caches[PAGES].set(plan.key, stored, timeout=seconds())
            except Exception:  # noqa: BLE001 - a cache outage serves uncached
                log.warning("page cache: not stored", exc_info=True)
        return conditional(
            request,
            response,
            etag=stored.etag if stored else response.get("ETag") or etag_of(response.content),
            rendered=stored.rendered if stored else None,
        )

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not cacheable_route(request):
            return None
        if seconds() <= 0 or not anonymous(request):
            request._page_cache = Plan(key=None)
            return None
        try:
            plan = Plan(key=key(request, version(scope_of(request))))
            entry = caches[PAGES].get(plan.key)
        except Exception:  # noqa: BLE001 - a cache outage serves uncached
            log.warning("page cache unavailable", exc_info=True)
            request._page_cache = Plan(key=None)
            return None
        request._page_cache = plan
        if entry is None:
            return None
        plan.hit = True
        return conditional(request, response_of(entry), etag=entry.etag, rendered=entry.rendered)

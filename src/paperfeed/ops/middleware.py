"""Operations middleware: request ids, access logs and latency, health checks, database outages.

Order in ``settings.MIDDLEWARE`` (outermost first)::

    RequestLogMiddleware      id, timing, access log line, latency histogram
    JsonErrorsMiddleware      (paperfeed.api.middleware) every error under /api/ is JSON
    DatabaseOutageMiddleware  database unreachable -> 503 + Retry-After instead of 500
    HealthCheckMiddleware     answers GET /healthz, /readyz, /metrics before host checks
    BadInputMiddleware        text no view can use (NUL, lone surrogates) -> 400 naming it
    ...Django's own (SecurityMiddleware, CommonMiddleware, CSRF, ...)
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time

from django.core.signals import got_request_exception
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from paperfeed.api import errors as api_errors
from paperfeed.ops import logging as ops_logging
from paperfeed.ops import metrics, views
from paperfeed.params import BadParameter, check_text

request_log = logging.getLogger("paperfeed.request")
outage_log = logging.getLogger("paperfeed.ops.outage")

REQUEST_ID_HEADER = "X-Request-ID"
RETRY_AFTER_SECONDS = 10
OUTAGE_LOG_INTERVAL = 30.0  # seconds between two log lines about the same outage
DATABASE_DOWN = (OperationalError, InterfaceError)
HEALTH_VIEWS = {
    "/healthz": ("ops:healthz", views.healthz),
    "/readyz": ("ops:readyz", views.readyz),
    "/metrics": ("ops:metrics", views.metrics_view),
}


class RequestLogMiddleware:
    """Gives each request an id (a sane incoming ``X-Request-ID`` or a new one), returns it in
    the response header, logs one ``paperfeed.request`` line and observes the latency."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        rid = ops_logging.accept_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = rid
        token = ops_logging.request_id.set(rid)
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - start
            response[REQUEST_ID_HEADER] = rid
            route = route_name(request)
            metrics.observe_request(route, request.method, response.status_code, elapsed)
            request_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "request_id": rid,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
            return response
        finally:
            ops_logging.request_id.reset(token)


def route_name(request: HttpRequest) -> str:
    """The matched URL's view name (bounded label values), ``<unmatched>`` for 404s."""
    name = getattr(request, "paperfeed_route", None)
    if name:
        return name
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return match.view_name or match.route or "<unnamed>"


class HealthCheckMiddleware:
    """Answers ``GET``/``HEAD`` ``/healthz``, ``/readyz`` and ``/metrics`` itself, before
    ALLOWED_HOSTS, HTTPS redirects and CSRF, so a load balancer probing a node by IP address, or
    Prometheus scraping it so, gets the real answer. The views decide who sees the detail
    (:mod:`paperfeed.ops.access`); they build no URL from the Host header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = HEALTH_VIEWS.get(request.path_info)
        if found and request.method in {"GET", "HEAD"}:
            request.paperfeed_route = found[0]
            return found[1](request)
        return self.get_response(request)


class BadInputMiddleware:
    """Refuses, with a 400 that names where, text in a request that no view can use: NUL
    (PostgreSQL refuses it in any query, so ``/users/%00`` was a 500) and lone surrogates
    (``"\\ud800"`` in a JSON body: not text, UTF-8 cannot encode it) in the path, the query,
    form fields, cookies and JSON bodies.

    One check before every view, Django's admin and allauth included, rather than a validator
    per form field: a field, lookup or feed that forgets one is not a 500. Refusing is clearer
    than cleaning: the client learns what was wrong and nothing is stored altered.
    Undecodable bytes are not this check's business: Django decodes the path, query and forms
    with replacement characters, and a JSON body that is not UTF-8 is the API's 400. Other
    control characters are text a view can hold; the feeds, where XML forbids them, strip them
    on output."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except BadParameter as exc:
            if api_errors.is_api(request):
                return api_errors.json_error(request, 400, str(exc))
            context = {"title": "Bad request", "message": str(exc)}
            return render(request, "web/error.html", context, status=400)
        return self.get_response(request)


def check_request(request: HttpRequest) -> None:
    """Raise :class:`BadParameter` for the first unusable text of ``request`` (see above)."""
    check_text("path", request.path)
    for place, data in (  # a parameter is named as the pages and the API name it
        ("query parameter", request.GET),
        ("cookie", request.COOKIES),
        ("form field", request.POST if request.method == "POST" else {}),
    ):
        items = data.lists() if hasattr(data, "lists") else ((k, [v]) for k, v in data.items())
        for key, values in items:
            check_text(f"{place} name", key)
            name = f"cookie {key}" if place == "cookie" else key
            for value in values:
                check_text(name, value)
    if request.content_type == "application/json" and request.body:
        try:
            body = json.loads(request.body)
        except ValueError:  # not JSON, or not UTF-8: the API answers 400 itself
            return
        _check_json("body", body)


def _check_json(where: str, value) -> None:
    if isinstance(value, str):
        check_text(where, value)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(f"{where} field name", key)
            _check_json(f"{where} field {key}" if where == "body" else f"{where}.{key}", item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(f"{where}[{index}]", item)


class DatabaseOutageMiddleware:
    """Turns "database unreachable" (``OperationalError``/``InterfaceError``) into a 503 with
    ``Retry-After``: JSON under ``/api/``, a short HTML page elsewhere. Errors raised by views
    arrive in :meth:`process_exception`; those raised by inner middleware become Django's 500,
    which :meth:`__call__` replaces after :func:`_remember_database_error` saw the exception.
    Django opens a new connection on the next request, so the site recovers by itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        error = getattr(request, "_paperfeed_database_error", None)
        if response.status_code == 500 and error is not None:
            return outage_response(request, error)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, DATABASE_DOWN):
            return outage_response(request, exception)
        return None


def _remember_database_error(sender, request=None, **kwargs) -> None:
    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, DATABASE_DOWN):
        request._paperfeed_database_error = exc


got_request_exception.connect(_remember_database_error, dispatch_uid="paperfeed-ops-outage")


class _OutageLog:
    """Logs the first failure, then at most one line per :data:`OUTAGE_LOG_INTERVAL` with how
    many requests failed meanwhile, so an outage under load does not flood the log."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = float("-inf")
        self._suppressed = 0

    def record(self, request: HttpRequest, exc: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last < OUTAGE_LOG_INTERVAL:
                self._suppressed += 1
                return
            suppressed, self._suppressed, self._last = self._suppressed, 0, now
        outage_log.error(
            "database unavailable, answering 503 (%s: %s); %d more request(s) since last report",
            type(exc).__name__,
            str(exc).strip()[:300],
            suppressed,
            extra={"method": request.method, "path": request.path},
        )


OUTAGE_LOG = _OutageLog()


def outage_response(request: HttpRequest, exc: Exception) -> HttpResponse:
    OUTAGE_LOG.record(request, exc)
    message = "The database is unavailable; please retry shortly."
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(
            "<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<title>Temporarily unavailable - paperfeed</title></head><body>"
            f"<h1>Temporarily unavailable</h1><p>{message}</p></body></html>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # logged above; keeps django.request from logging it again
    return response

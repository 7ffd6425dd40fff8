"""Every error answer under ``/api/`` is JSON in the API's shape (:mod:`paperfeed.api.errors`).

The API's own operations answer errors as JSON; what answers before or around them did not:
django-ninja's 405 for a method a route does not take (``Method not allowed`` as HTML), Django's
400 for a body it cannot read (too large, too many fields), a 404 from a path converter, the 500
page of an exception. This middleware replaces such an answer with ``{"detail": "..."}`` (and
``error`` on the Hugging Face-compatible routes), keeping its status and headers.
"""

from __future__ import annotations

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse

from paperfeed.api import errors

KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Cache-Control")


class JsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not errors.is_api(request) or _is_json(response):
            return response
        replaced = errors.json_error(request, response.status_code, describe(request, response))
        for header in KEPT_HEADERS:
            if header in response:
                replaced[header] = response[header]
        replaced._has_been_logged = getattr(response, "_has_been_logged", False)
        return replaced


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().endswith("json")


def describe(request: HttpRequest, response: HttpResponse) -> str:
    """What went wrong, for a client, from the status of a non-JSON error answer."""
    status = response.status_code
    if status == 405:
        allowed = response.get("Allow", "") or "none"
        return f"method {request.method} is not allowed on {request.path}; allowed: {allowed}"
    if status == 404:
        return f"no API route {request.path}; see /api/docs"
    if status == 400:
        return "bad request: the request could not be read (too large, or malformed)"
    if status >= 500:
        rid = getattr(request, "request_id", "")
        return "internal server error; it was logged" + (f" (request id {rid})" if rid else "")
    try:
        return HTTPStatus(status).phrase.lower()
    except ValueError:
        return "error"

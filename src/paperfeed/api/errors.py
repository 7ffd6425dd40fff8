"""One error shape for the whole API: ``{"detail": "what was wrong"}``.

Hugging Face's API answers errors as ``{"error": "..."}`` and ``huggingface_hub`` shows that key
in its exception message, so responses of the HF-compatible routes (everything outside
``/api/v1/``) carry the same text under ``error`` too.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from paperfeed.papers.lists import ListError
from paperfeed.params import BadParameter
from paperfeed.search import IndexMissing

NATIVE_PREFIX = "/api/v1/"


class NotFound(HttpError):
    def __init__(self, message: str):
        super().__init__(404, message)


def is_api(request: HttpRequest) -> bool:
    """Whether ``request`` is for the API (``/api/...``), whose every answer is JSON."""
    return request.path_info == "/api" or request.path_info.startswith("/api/")


def error_body(request: HttpRequest, message: str, **extra) -> dict:
    body = {"detail": message, **extra}
    if not request.path.startswith(NATIVE_PREFIX):
        body["error"] = message
    return body


def json_error(request: HttpRequest, status: int, message: str) -> JsonResponse:
    """The API's error shape outside a NinjaAPI operation (middleware, unknown routes, Django's
    400/403/404/405/500 answers under ``/api/``)."""
    return JsonResponse(error_body(request, message), status=status)


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, message: str, **extra
) -> HttpResponse:
    body = error_body(request, message, **extra)
    response = api.create_response(request, body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="paperfeed"'
    return response


def answering(do, statuses: dict[type[Exception], int]):
    """``do()``, with a core refusal turned into an HTTP error carrying its message: the first
    exception class in ``statuses`` (most specific first) that the raised one is an instance of
    gives the status; anything else propagates."""
    try:
        return do()
    except tuple(statuses) as exc:
        status = next(code for kind, code in statuses.items() if isinstance(exc, kind))
        raise HttpError(status, str(exc)) from None


def describe_validation_error(error: dict) -> str:
    """``{"loc": ["query", "p"], "msg": "..."}`` -> ``query parameter p: ...``."""
    loc = [str(part) for part in error.get("loc", ())]
    where = loc[0] if loc else "request"
    name = ".".join(loc[1:])
    place = {"query": "query parameter", "path": "path parameter", "body": "body field"}.get(
        where, where
    )
    message = error.get("msg", "invalid value")
    if "input" in error and where != "body":
        message += f" (got {error['input']!r})"
    return f"{place} {name}: {message}" if name else f"{place}: {message}"


def install(api: NinjaAPI) -> None:
    """Register the handlers that give every error the one shape."""

    @api.exception_handler(BadParameter)
    def bad_parameter(request, exc: BadParameter):
        return error_response(api, request, 400, str(exc))

    @api.exception_handler(ListError)
    def bad_list_argument(request, exc: ListError):
        return error_response(api, request, 400, str(exc))

    @api.exception_handler(ValidationError)
    def invalid(request, exc: ValidationError):
        messages = [describe_validation_error(e) for e in exc.errors]
        return error_response(
            api,
            request,
            422,
            "; ".join(messages) or "invalid request",
            errors=[
                {k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors
            ],
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc: AuthenticationError):
        return error_response(
            api,
            request,
            401,
            "authentication required: send 'Authorization: Bearer <API token>' or log in",
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return error_response(api, request, exc.status_code, str(exc))

    @api.exception_handler(Http404)
    def not_found(request, exc: Http404):
        return error_response(api, request, 404, str(exc) or "not found")

    @api.exception_handler(IndexMissing)
    def no_index(request, exc: IndexMissing):
        return error_response(api, request, 503, f"search is not available yet: {exc}")

"""Who is calling: a Bearer API token, or the browser's Django session (with a CSRF token).

State-changing endpoints take ``auth=WRITE_AUTH``: ninja tries the Bearer token first, then the
session.  No credentials at all gives 401; a logged-in session whose request lacks a valid CSRF
token gives 403 (a cross-site form cannot use the session); a Bearer token needs no CSRF token,
since a browser never adds it to a cross-site request by itself.

GET endpoints are public; :func:`optional_user` lets them say whether the caller upvoted a paper.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from paperfeed.accounts.tokens import authenticate_token


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` with a token made on the account's API-tokens page."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str):
        return authenticate_token(token)  # None for unknown, revoked or deactivated


class SessionWithCsrf(APIKeyCookie):
    """The Django session cookie of a logged-in user; unsafe methods need the CSRF token.

    Unlike ninja's ``SessionAuth`` the CSRF check runs only when a session user exists, so an
    anonymous caller gets 401 (log in or send a token), not a confusing 403.
    """

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.COOKIES.get(self.param_name)
        if key is None or not request.user.is_authenticated:
            return None
        if check_csrf(request):
            raise HttpError(
                403,
                "CSRF check failed: send the csrftoken cookie's value in the "
                "X-CSRFToken header, or use a Bearer API token",
            )
        return key

    def authenticate(self, request: HttpRequest, key: str | None):
        if key is None:
            return None
        return request.user


WRITE_AUTH = [BearerToken(), SessionWithCsrf()]


def optional_user(request: HttpRequest):
    """The calling user for a public GET (token or session), or None; never raises."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return BearerToken().authenticate(request, token.strip())
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None

"""A user's lists: the papers they submitted and the papers they upvoted."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from paperfeed import params
from paperfeed.accounts import usernames
from paperfeed.api.auth import optional_user
from paperfeed.api.errors import NotFound
from paperfeed.api.feeds import has_code_param
from paperfeed.api.schemas import ErrorOut, PageOut
from paperfeed.api.shapes import page_out
from paperfeed.papers import lists

router = Router(tags=["Users"])
MAX_PER_PAGE = 100
RESPONSES = {200: PageOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _user_list(
    request: HttpRequest, list_function, username: str, page: int, per_page: int, has_code
) -> dict:
    params.check_range("page", page, 1, params.MAX_PAGE)
    params.check_range("per_page", per_page, 1, MAX_PER_PAGE)
    code = params.parse_flag("has_code", has_code or "")
    owner = usernames.find_active(username)
    if owner is None:
        raise NotFound(f"no user called {username!r}")
    viewer = optional_user(request)
    result = list_function(owner, page=page, per_page=per_page, user=viewer, has_code=code)
    return page_out(result, anonymous=viewer is None)


@router.get("/users/{username}/submissions", response=RESPONSES, summary="Papers a user submitted")
def user_submissions(
    request: HttpRequest,
    username: str,
    page: int = 1,
    per_page: int = 50,
    has_code: str | None = has_code_param(),
):
    """Latest submission first."""
    return _user_list(request, lists.submitted_by, username, page, per_page, has_code)


@router.get("/users/{username}/upvotes", response=RESPONSES, summary="Papers a user upvoted")
def user_upvotes(
    request: HttpRequest,
    username: str,
    page: int = 1,
    per_page: int = 50,
    has_code: str | None = has_code_param(),
):
    """Latest upvote first."""
    return _user_list(request, lists.upvoted_by, username, page, per_page, has_code)

"""The JSON API: one NinjaAPI at /api/ (OpenAPI at /api/openapi.json, docs at /api/docs).

HF-compatible routes sit at HF's paths (/api/daily_papers, /api/papers/...); paperfeed's own
routes under /api/v1/.  docs/api.md describes every route.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from ninja import NinjaAPI

from paperfeed.api import (
    account,
    claims,
    collections,
    comments,
    errors,
    exports,
    feeds,
    follows,
    foryou,
    hf,
    library,
    me,
    mutes,
    onboarding,
    orgs,
    papers,
    search,
    similar,
    submissions,
    users,
    votes,
)

api = NinjaAPI(
    title="paperfeed API",
    version="1",
    description="Papers, feeds, search, votes, comments and submissions of a paperfeed site, "
    "plus Hugging Face-compatible daily-papers endpoints. GET routes are public; routes that "
    "change data need a Bearer API token (from your account page) or a logged-in session with "
    'the CSRF token. Errors are {"detail": "..."}.',
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", hf.router)
# /papers/{id}/vote, /comments, /feedback and /export before /papers/{id}: ids may contain a slash
for router in (
    votes.router,
    exports.router,
    comments.router,
    onboarding.router,
    papers.router,
    feeds.router,
    search.router,
    similar.router,
    submissions.router,
    users.router,
    foryou.router,
    mutes.router,
    follows.router,
    account.router,
    me.router,
    library.router,
    collections.router,
    orgs.router,
    claims.router,
):
    api.add_router("/v1", router)


def unknown_route(request: HttpRequest, rest: str) -> JsonResponse:
    """Any other /api/ path: a JSON 404 in the API's error shape, not the site's HTML page."""
    return errors.json_error(request, 404, f"no API route /api/{rest}; see /api/docs")


urlpatterns = [path("", api.urls), re_path(r"^(?P<rest>.*)$", unknown_route)]

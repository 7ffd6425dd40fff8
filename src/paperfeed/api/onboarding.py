"""Onboarding and "more / less like this" through the API (token, or session with CSRF): the JSON
twin of /welcome (:mod:`paperfeed.personal.onboarding`).

- ``GET /api/v1/me/onboarding``: what each step holds (categories, topics, marked papers).
- ``PUT /api/v1/me/onboarding/categories`` and ``/topics``: replace what that step follows.
- ``GET /api/v1/me/onboarding/suggestions``: the papers step 3 suggests, each with its reason.
- ``POST /api/v1/me/onboarding/done``: onboarding finished (or skipped).
- ``PUT /api/v1/papers/{id}/feedback``: the caller's "more like this" (1, what marking is),
  "less like this" (-1) or none (null) on a paper, as the site's buttons.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from paperfeed import params
from paperfeed.api.auth import WRITE_AUTH
from paperfeed.api.errors import NotFound
from paperfeed.api.schemas import ErrorOut
from paperfeed.digests import feedback
from paperfeed.papers.models import Paper
from paperfeed.personal import onboarding

router = Router(tags=["Onboarding"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


class OnboardingOut(Schema):
    categories: list[str] = Field(description="The arXiv categories you follow.")
    topics: list[str] = Field(description="The topics (saved searches) you follow.")
    marked: list[str] = Field(description='Papers you marked "more like this", newest first.')
    onboarded_at: dt.datetime | None = Field(description="When onboarding was finished or skipped.")


class CategoriesIn(Schema):
    categories: list[str] = Field(
        description="Every category to follow (those left out are unfollowed), e.g. cs.LG."
    )


class TopicsIn(Schema):
    topics: list[str] = Field(
        description=f"Every topic to follow, at most {onboarding.MAX_TOPICS}, each "
        f"{onboarding.MIN_TOPIC} to {onboarding.MAX_TOPIC} characters (those left out are "
        "unfollowed)."
    )


class SuggestionOut(Schema):
    id: str
    title: str
    authors: list[str]
    primary_category: str
    feed_day: dt.date | None
    why: str = Field(description="Why it is suggested (a topic it matches, or popular).")
    marked: bool


class SuggestionsOut(Schema):
    items: list[SuggestionOut]


class FeedbackIn(Schema):
    signal: int | None = Field(
        description="1: more like this (what onboarding's marking is), -1: less like this, "
        "null: neither."
    )


class FeedbackOut(Schema):
    id: str
    signal: int | None


def _state(user) -> dict:
    found = onboarding.state(user)
    return {
        "categories": found.categories,
        "topics": found.topics,
        "marked": found.marked,
        "onboarded_at": found.onboarded_at,
    }


@router.get(
    "/me/onboarding",
    auth=WRITE_AUTH,
    response={200: OnboardingOut, 401: ErrorOut},
    summary="Your onboarding choices",
)
def get_onboarding(request: HttpRequest):
    """The categories and topics you follow, the papers you marked, and whether onboarding is
    done (null: never finished nor skipped)."""
    return _state(request.auth)


@router.put(
    "/me/onboarding/categories",
    auth=WRITE_AUTH,
    response={200: OnboardingOut, **ERRORS},
    summary="Follow exactly these categories",
)
def put_categories(request: HttpRequest, payload: CategoriesIn):
    """400 naming the first name that is not an arXiv category (nothing saved then)."""
    try:
        onboarding.save_categories(request.auth, payload.categories)
    except onboarding.OnboardingError as exc:
        raise HttpError(400, f"categories: {exc}") from None
    return _state(request.auth)


@router.put(
    "/me/onboarding/topics",
    auth=WRITE_AUTH,
    response={200: OnboardingOut, **ERRORS},
    summary="Follow exactly these topics",
)
def put_topics(request: HttpRequest, payload: TopicsIn):
    """Each topic is a saved search you follow; 400 with the reason for a bad one."""
    try:
        onboarding.save_topics(request.auth, payload.topics)
    except onboarding.OnboardingError as exc:
        raise HttpError(400, f"topics: {exc}") from None
    return _state(request.auth)


@router.get(
    "/me/onboarding/suggestions",
    auth=WRITE_AUTH,
    response={200: SuggestionsOut, 401: ErrorOut},
    summary="Papers to mark",
)
def get_suggestions(request: HttpRequest):
    """Recent papers matching your topics within your categories, then the most popular recent
    papers of your categories, without muted ones (as /welcome/papers)."""
    user = request.auth
    marked = set(onboarding.marked_ids(user))
    items = [
        {
            "id": s.paper.pk,
            "title": s.paper.title,
            "authors": [a.name for a in s.paper.author_list],
            "primary_category": s.paper.primary_category,
            "feed_day": s.paper.feed_day,
            "why": s.why,
            "marked": s.paper.pk in marked,
        }
        for s in onboarding.suggestions(user)
    ]
    return {"items": items}


@router.post(
    "/me/onboarding/done",
    auth=WRITE_AUTH,
    response={200: OnboardingOut, 401: ErrorOut, 403: ErrorOut},
    summary="Finish onboarding",
)
def post_done(request: HttpRequest):
    """Onboarding is over (a second call keeps the first time): logins stop landing on it."""
    onboarding.finish(request.auth)
    return _state(request.auth)


@router.put(
    "/papers/{path:paper_id}/feedback",
    auth=WRITE_AUTH,
    response={200: FeedbackOut, 404: ErrorOut, **ERRORS},
    summary="More or less like this",
)
def put_feedback(request: HttpRequest, paper_id: str, payload: FeedbackIn):
    """Your signal on a paper becomes ``signal`` (idempotent); 404 for an unknown paper."""
    arxiv_id = params.parse_paper_id("id", paper_id)
    if payload.signal not in (*feedback.SIGNALS, None):
        raise params.BadParameter("signal", f"must be 1, -1 or null, not {payload.signal}")
    if not Paper.objects.visible().filter(pk=arxiv_id).exists():
        raise NotFound(f"no paper {arxiv_id}")
    try:
        signal = feedback.set_feedback(request.auth, arxiv_id, payload.signal)
    except feedback.FeedbackError as exc:
        raise HttpError(400, f"signal: {exc}") from None
    return {"id": arxiv_id, "signal": signal}

"""GET /api/v1/for-you: the caller's recommended recent papers, each with its reason (the JSON
twin of the site's "For you" page; Bearer token or logged-in session)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from paperfeed.api.auth import WRITE_AUTH
from paperfeed.api.schemas import ErrorOut
from paperfeed.digests import foryou

router = Router(tags=["Recommendations"])


class ForYouPaperOut(Schema):
    id: str
    title: str
    section: str
    why: str
    primary_category: str
    feed_day: dt.date | None
    upvotes: int


class ForYouOut(Schema):
    liked: int
    categories: list[str]
    first_day: dt.date | None
    last_day: dt.date | None
    papers: list[ForYouPaperOut]


@router.get(
    "/for-you",
    auth=WRITE_AUTH,
    response={200: ForYouOut, 401: ErrorOut, 403: ErrorOut},
    summary="Your recommended papers",
)
def for_you(request: HttpRequest):
    """Recommended papers of the last 14 feed days, best first within each section, from your
    upvotes and "more like this" feedback (never a "less like this" or upvoted paper) and the
    categories of your digest subscription. ``liked`` = 0 and no categories: empty ``papers``."""
    found = foryou.for_you(request.auth)
    papers = [
        {
            "id": item.paper.pk,
            "title": item.paper.title,
            "section": section.title,
            "why": item.why,
            "primary_category": item.paper.primary_category,
            "feed_day": item.paper.feed_day,
            "upvotes": item.paper.upvotes,
        }
        for section in found.sections
        for item in section.items
    ]
    return {
        "liked": found.liked,
        "categories": found.categories,
        "first_day": found.first_day,
        "last_day": found.last_day,
        "papers": papers,
    }

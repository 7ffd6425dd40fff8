"""What an organisation's page shows, the one data function of ``/orgs/<slug>`` and
``GET /api/v1/orgs/{slug}``: the organisation, its members with roles, the viewer's role and a
page of its papers (:func:`paperfeed.orgs.matching.papers_q`), newest first, the viewer's muted
papers left out (:func:`paperfeed.personal.follow_pages.page_of`)."""

from __future__ import annotations

from dataclasses import dataclass

from paperfeed.orgs import core, matching
from paperfeed.orgs.models import Membership, Organisation
from paperfeed.papers import lists
from paperfeed.papers.models import Paper
from paperfeed.personal import follow_pages, follows


@dataclass
class OrgPage:
    org: Organisation
    members: list[Membership]
    role: str | None
    """The viewer's role (None: not a member)."""
    page: lists.PaperPage


def org_page(org: Organisation, *, user=None, page: int = 1, per_page: int = 50) -> OrgPage:
    papers = Paper.objects.visible().filter(matching.papers_q(org)).order_by(*follows.NEWEST)
    shown = follow_pages.page_of(papers, user=user, page=page, per_page=per_page)
    return OrgPage(org, core.members(org), core.role_of(user, org), shown)

"""Organisations through the API, each route thin over :mod:`paperfeed.orgs.core` and
:mod:`paperfeed.orgs.pages` (the page ``/orgs/<slug>`` shows the same).

Reading an organisation is public; creating one, changing its members and attaching papers need
a token or a session with CSRF. A refusal is 400 (bad input, a limit), 403 (the caller's role is
too low), 404 (no such organisation) or 429 (``PAPERFEED_LIMIT_ORG``), with the reason.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from paperfeed import params
from paperfeed.api import errors
from paperfeed.api.auth import WRITE_AUTH, optional_user
from paperfeed.api.schemas import ErrorOut, PageOut
from paperfeed.api.shapes import page_out
from paperfeed.ops import throttle
from paperfeed.orgs import core, pages
from paperfeed.papers import lists

router = Router(tags=["Organisations"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
Role = Literal["owner", "admin", "member"]
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100


class OrgOut(Schema):
    slug: str
    name: str
    avatar: str
    description: str
    hf_name: str | None = Field(description="The Hugging Face organisation it claims.")
    hf_status: str = Field(description='The claim: "" (none), pending, approved or rejected.')
    url: str = Field(description="Its page on the site.")


class MemberOut(Schema):
    username: str
    role: Role


class OrgPageOut(OrgOut):
    members: list[MemberOut]
    role: Role | None = Field(description="The caller's role (null: not a member).")
    papers: PageOut = Field(
        description="Attached papers and, once approved, those Hugging Face names it for: "
        "newest first."
    )


class OrgIn(Schema):
    slug: str = Field(description="Its address /orgs/<slug>: 1-40 of a-z, 0-9 and -.")
    name: str
    avatar: str = Field("", description="An https image URL on a host the site shows.")
    description: str = ""
    hf_name: str = Field("", description="A Hugging Face organisation to claim (moderated).")


class MemberIn(Schema):
    username: str
    role: Role = "member"


class PaperIn(Schema):
    paper: str = Field(description="An arXiv id stored here, e.g. 2503.00001.")


def _call(do):
    return errors.answering(do, {core.NoSuchOrg: 404, core.NotAllowed: 403, core.OrgError: 400})


def _out(org) -> dict:
    return {
        "slug": org.slug,
        "name": org.name,
        "avatar": org.avatar,
        "description": org.description,
        "hf_name": org.hf_name,
        "hf_status": org.hf_status,
        "url": f"/orgs/{org.slug}",
    }


@router.get("/orgs/{slug}", response={200: OrgPageOut, **ERRORS}, summary="Get")
def get(request: HttpRequest, slug: str, page: int = 1, per_page: int | None = None):
    """The organisation, its members with roles and a page of its papers (the caller's muted
    papers left out)."""
    org = _call(lambda: core.get(slug))
    user = optional_user(request)
    params.check_range("page", page, 1, params.MAX_PAGE)
    size = params.check_range(
        "per_page", params.capped(per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE), 1
    )
    try:
        shown = pages.org_page(org, user=user, page=page, per_page=size)
    except lists.ListError as exc:
        raise HttpError(400, str(exc)) from None
    return {
        **_out(org),
        "members": [{"username": m.user.get_username(), "role": m.role} for m in shown.members],
        "role": shown.role,
        "papers": page_out(shown.page, anonymous=user is None),
    }


@router.post(
    "/orgs", auth=WRITE_AUTH, response={201: OrgOut, 429: ErrorOut, **ERRORS}, summary="Create"
)
def create(request: HttpRequest, payload: OrgIn):
    """201 with the new organisation, the caller its owner; 400 naming a bad field, a taken
    address or claim, or too many owned (5); 429 over ``PAPERFEED_LIMIT_ORG``."""
    if refused := throttle.consume(request, "org", user=request.auth):
        return refused.response(request)
    made = _call(lambda: core.create(request.auth, **payload.model_dump()))
    return Status(201, _out(made))


@router.post(
    "/orgs/{slug}/members",
    auth=WRITE_AUTH,
    response={200: MemberOut, 201: MemberOut, **ERRORS},
    summary="Add a member or change a role",
)
def add_member(request: HttpRequest, slug: str, payload: MemberIn):
    """Admins add members; owners also grant and change admin and owner. 201 when added."""
    org = _call(lambda: core.get(slug))
    was = core.role_of_name(org, payload.username)
    row = _call(lambda: core.add_member(request.auth, org, payload.username, payload.role))
    out = {"username": row.user.get_username(), "role": row.role}
    return Status(200 if was else 201, out)


@router.delete(
    "/orgs/{slug}/members",
    auth=WRITE_AUTH,
    response={204: None, **ERRORS},
    summary="Remove a member or leave",
)
def remove_member(request: HttpRequest, slug: str, username: str = Query(...)):
    """``?username=``: the caller themself (leave), or as admin a member, as owner anyone; an
    organisation keeps at least one owner."""
    org = _call(lambda: core.get(slug))
    _call(lambda: core.remove_member(request.auth, org, username))
    return Status(204, None)


@router.post(
    "/orgs/{slug}/papers",
    auth=WRITE_AUTH,
    response={200: None, 201: None, **ERRORS},
    summary="Attach a paper",
)
def attach(request: HttpRequest, slug: str, payload: PaperIn):
    """Members only; 201 when attached, 200 when it was already."""
    org = _call(lambda: core.get(slug))
    new = _call(lambda: core.attach(request.auth, org, payload.paper))
    return Status(201 if new else 200, None)


@router.delete(
    "/orgs/{slug}/papers",
    auth=WRITE_AUTH,
    response={204: None, **ERRORS},
    summary="Detach a paper",
)
def detach(request: HttpRequest, slug: str, paper: str = Query(...)):
    """``?paper=`` (ids may hold a slash); members only; 404 when it was not attached."""
    org = _call(lambda: core.get(slug))
    if not _call(lambda: core.detach(request.auth, org, paper)):
        raise HttpError(404, f"{paper[:40]!r} is not attached to {org.name}")
    return Status(204, None)

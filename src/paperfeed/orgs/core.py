"""Organisations: the one writer of :mod:`paperfeed.orgs.models`.

Anyone signed in may create an organisation (at most :data:`MAX_OWNED` owned at once, and the
``org`` rate limit in the views) and becomes its owner. Roles:

- **member**: attaches papers to the organisation and detaches them, leaves;
- **admin**: also adds and removes members;
- **owner**: also adds, promotes, demotes and removes admins and owners, edits the organisation
  and claims its Hugging Face name. An organisation always keeps at least one owner.

A claim of a Hugging Face organisation name (``hf_name``, unique) stays *pending* until a
moderator approves it in the admin (:func:`decide_claim`); only then are that name's papers
shown as the organisation's, its badge and page mapped here. Every refusal is an
:class:`OrgError` naming what was wrong (:class:`NotAllowed` for a role too low,
:class:`NoSuchOrg` for an unknown slug).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction

from paperfeed.accounts import usernames
from paperfeed.orgs.models import Membership, Organisation, OrgPaper
from paperfeed.papers.models import Paper

MAX_OWNED = 5
"""Organisations one user may own at once."""
MAX_MEMBERS = 500
MAX_NAME = 100
MAX_DESCRIPTION = 2000
MAX_AVATAR = 500
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
RESERVED = frozenset({"new", "attach", "mine", "api", "admin", "static"})
RANK = {Membership.MEMBER: 0, Membership.ADMIN: 1, Membership.OWNER: 2}
ROLES = tuple(RANK)


class OrgError(ValueError):
    """A change refused, with the reason a person can act on."""


class NotAllowed(OrgError):
    """The user's role (or none) does not allow this change."""


class NoSuchOrg(OrgError):
    pass


# --- checks --------------------------------------------------------------------------------
def _text(value: object) -> str:
    return " ".join(str(value or "").split())


def check_slug(value: object) -> str:
    slug = str(value or "").strip().lower()
    if not SLUG.match(slug) or slug in RESERVED:
        raise OrgError(
            "the address name must be 1 to 40 lower-case letters, digits or hyphens "
            f"(not starting or ending with one, not {', '.join(sorted(RESERVED))}), "
            f"not {str(value)[:50]!r}"
        )
    from paperfeed.signals.models import PaperSignals

    if PaperSignals.objects.filter(org_name__iexact=slug).exists():
        raise OrgError(
            f"{slug!r} is a Hugging Face organisation's name here: choose another address "
            "and claim that name instead (moderators check claims)"
        )
    return slug


def check_name(value: object) -> str:
    name = _text(value)
    if not 2 <= len(name) <= MAX_NAME:
        raise OrgError(f"a name must be 2 to {MAX_NAME} characters, not {name[:50]!r}")
    return name


def check_description(value: object) -> str:
    text = str(value or "").strip()
    if len(text) > MAX_DESCRIPTION:
        raise OrgError(f"a description must be at most {MAX_DESCRIPTION} characters")
    return text


def image_hosts() -> set[str]:
    """The https hosts the Content-Security-Policy lets pages show images from."""
    hosts = getattr(settings, "CONTENT_SECURITY_POLICY", {}) or {}
    sources = (hosts.get("DIRECTIVES") or {}).get("img-src") or []
    if not sources:
        from paperfeed import config

        sources = config.get("PAPERFEED_CSP_IMG_HOSTS").split()
    return {
        urlsplit(s).hostname for s in sources if s.startswith("https://") and urlsplit(s).hostname
    }


def check_avatar(value: object) -> str:
    """An https URL on one of :func:`image_hosts` (an image from elsewhere would not show), or ""."""
    url = str(value or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    allowed = image_hosts()
    if (
        parts is None
        or len(url) > MAX_AVATAR
        or parts.scheme != "https"
        or not parts.hostname
        or parts.username
        or any(c.isspace() for c in url)
    ):
        raise OrgError(f"the avatar must be an https URL of at most {MAX_AVATAR} characters")
    if parts.hostname not in allowed:
        raise OrgError(
            f"the avatar must be on one of the image hosts this site shows "
            f"({', '.join(sorted(allowed)) or 'none'}), not {parts.hostname[:60]!r}"
        )
    return url


def check_hf_name(value: object) -> str:
    name = str(value or "").strip()
    if name and (len(name) > 200 or not re.fullmatch(r"[\w.\-/]+", name)):
        raise OrgError(f"{name[:50]!r} is not a Hugging Face organisation name")
    return name


def check_role(value: object) -> str:
    if value not in RANK:
        raise OrgError(f"role must be one of {', '.join(ROLES)}, not {str(value)[:20]!r}")
    return value


# --- reading -------------------------------------------------------------------------------
def get(slug: object) -> Organisation:
    org = Organisation.objects.filter(slug=str(slug or "")[:60].lower()).first()
    if org is None:
        raise NoSuchOrg(f"no organisation {str(slug)[:60]!r}")
    return org


def role_of(user, org: Organisation) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return org.memberships.filter(user=user).values_list("role", flat=True).first()


def role_of_name(org: Organisation, username) -> str | None:
    """The role of the user called ``username`` (None: not a member, or no such user)."""
    user = usernames.find_active(str(username or ""))
    return (
        None
        if user is None
        else org.memberships.filter(user=user).values_list("role", flat=True).first()
    )


def orgs_of(user) -> list[Organisation]:
    """The user's organisations by name, each with ``.role``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    rows = Membership.objects.filter(user=user).select_related("org").order_by("org__name")
    found = []
    for m in rows:
        m.org.role = m.role
        found.append(m.org)
    return found


def members(org: Organisation) -> list[Membership]:
    """Owners, then admins, then members, each group by username."""
    rows = list(org.memberships.select_related("user"))
    rows.sort(key=lambda m: (-RANK[m.role], m.user.get_username().lower()))
    return rows


def _need(user, org: Organisation, role: str) -> str:
    have = role_of(user, org)
    if have is None or RANK[have] < RANK[role]:
        what = {"member": "a member", "admin": "an admin or owner", "owner": "an owner"}[role]
        raise NotAllowed(f"only {what} of {org.name} may do this")
    return have


# --- writing -------------------------------------------------------------------------------
def create(user, slug, name, *, avatar="", description="", hf_name="") -> Organisation:
    """A new organisation owned by ``user``; a ``hf_name`` is claimed (pending a moderator)."""
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed("log in to create an organisation")
    slug, name = check_slug(slug), check_name(name)
    avatar, description = check_avatar(avatar), check_description(description)
    hf_name = check_hf_name(hf_name)
    with transaction.atomic():
        owned = Membership.objects.select_for_update().filter(user=user, role=Membership.OWNER)
        if len(owned) >= MAX_OWNED:
            raise OrgError(f"you own {MAX_OWNED} organisations already, the most one may own")
        if Organisation.objects.filter(slug=slug).exists():
            raise OrgError(f"the address /orgs/{slug} is taken: choose another")
        _free_hf(hf_name, None)
        try:
            with transaction.atomic():
                org = Organisation.objects.create(
                    slug=slug,
                    name=name,
                    avatar=avatar,
                    description=description,
                    hf_name=hf_name or None,
                    hf_status=Organisation.PENDING if hf_name else Organisation.NONE,
                    created_by=user,
                )
        except IntegrityError:
            raise OrgError(f"the address /orgs/{slug} or that Hugging Face name is taken") from None
        Membership.objects.create(org=org, user=user, role=Membership.OWNER)
    return org


def _free_hf(hf_name: str, org: Organisation | None) -> None:
    if not hf_name:
        return
    others = Organisation.objects.filter(hf_name=hf_name)
    if org is not None:
        others = others.exclude(pk=org.pk)
    if others.exists():
        raise OrgError(f"another organisation here claims {hf_name!r} already")


def update(user, org: Organisation, *, name=None, avatar=None, description=None) -> Organisation:
    """Change the name, avatar or description (owners)."""
    _need(user, org, Membership.OWNER)
    if name is not None:
        org.name = check_name(name)
    if avatar is not None:
        org.avatar = check_avatar(avatar)
    if description is not None:
        org.description = check_description(description)
    org.save(update_fields=["name", "avatar", "description"])
    return org


def claim(user, org: Organisation, hf_name) -> Organisation:
    """Claim a Hugging Face organisation name (owners): pending until a moderator decides;
    an empty name withdraws the claim."""
    _need(user, org, Membership.OWNER)
    hf_name = check_hf_name(hf_name)
    _free_hf(hf_name, org)
    if (org.hf_name or "") == hf_name:
        return org
    org.hf_name = hf_name or None
    org.hf_status = Organisation.PENDING if hf_name else Organisation.NONE
    try:
        with transaction.atomic():
            org.save(update_fields=["hf_name", "hf_status"])
    except IntegrityError:
        raise OrgError(f"another organisation here claims {hf_name!r} already") from None
    return org


def decide_claim(org: Organisation, approve: bool) -> Organisation:
    """A moderator's decision on a pending claim (the admin's actions)."""
    if not org.hf_name:
        raise OrgError(f"{org.name} claims no Hugging Face name")
    org.hf_status = Organisation.APPROVED if approve else Organisation.REJECTED
    org.save(update_fields=["hf_status"])
    return org


def _find_user(username):
    found = usernames.find_active(str(username or ""))
    if found is None:
        raise OrgError(f"no active user called {str(username)[:60]!r}")
    return found


def add_member(actor, org: Organisation, username, role: str = Membership.MEMBER) -> Membership:
    """Add ``username`` with ``role``, or change their role. Admins add and remove members;
    only owners grant or take away admin and owner."""
    role = check_role(role)
    target = _find_user(username)
    with transaction.atomic():
        _lock(org)
        mine = _need(actor, org, Membership.ADMIN)
        row = org.memberships.filter(user=target).first()
        current = row.role if row else None
        if RANK[mine] < RANK[Membership.OWNER] and (
            role != Membership.MEMBER or current not in (None, Membership.MEMBER)
        ):
            raise NotAllowed(f"only an owner of {org.name} may grant or change admin and owner")
        if row is None:
            if org.memberships.count() >= MAX_MEMBERS:
                raise OrgError(f"an organisation has at most {MAX_MEMBERS} members")
            return Membership.objects.create(org=org, user=target, role=role)
        if current == Membership.OWNER and role != Membership.OWNER:
            _keep_an_owner(org, row)
        row.role = role
        row.save(update_fields=["role"])
        return row


def _lock(org: Organisation) -> None:
    """Serialise membership changes of one organisation (the last-owner rule)."""
    Organisation.objects.select_for_update().filter(pk=org.pk).first()


def _keep_an_owner(org: Organisation, leaving: Membership) -> None:
    others = org.memberships.filter(role=Membership.OWNER).exclude(pk=leaving.pk)
    if not others.exists():
        raise OrgError(f"{org.name} must keep at least one owner: make someone else owner first")


def remove_member(actor, org: Organisation, username) -> None:
    """Remove ``username`` (yourself: leave). Admins remove members; owners anyone."""
    target = _find_user(username)
    with transaction.atomic():
        _lock(org)
        row = org.memberships.filter(user=target).first()
        if row is None:
            raise OrgError(f"{target.get_username()} is not a member of {org.name}")
        if target.pk != getattr(actor, "pk", None):
            mine = _need(actor, org, Membership.ADMIN)
            if row.role != Membership.MEMBER and mine != Membership.OWNER:
                raise NotAllowed(f"only an owner of {org.name} may remove an admin or owner")
        if row.role == Membership.OWNER:
            _keep_an_owner(org, row)
        row.delete()


def before_account_deletion(user) -> None:
    """Called inside the transaction that deletes ``user``'s account: an organisation whose only
    owner the account is refuses it while others are members (OrgError naming it: make one of
    them owner, or remove them, first); one the account is alone in is deleted with it."""
    owned = Organisation.objects.select_for_update().filter(
        memberships__user=user, memberships__role=Membership.OWNER
    )
    for org in owned:
        if org.memberships.filter(role=Membership.OWNER).exclude(user=user).exists():
            continue
        if org.memberships.exclude(user=user).exists():
            raise OrgError(
                f"you are the only owner of the organisation {org.name!r} ({org.slug}): make "
                "another member an owner, or remove its members, first"
            )
        org.delete()


def leave(user, org: Organisation) -> None:
    remove_member(user, org, user.get_username())


def attach(user, org: Organisation, paper_id) -> bool:
    """Attach a visible paper to the organisation (members); False when it already was."""
    _need(user, org, Membership.MEMBER)
    paper = Paper.objects.visible().filter(pk=str(paper_id or "")[:40]).first()
    if paper is None:
        raise OrgError(f"no paper {str(paper_id)[:40]!r} here")
    try:
        with transaction.atomic():
            OrgPaper.objects.create(org=org, paper=paper, added_by=user)
    except IntegrityError:
        return False
    return True


def detach(user, org: Organisation, paper_id) -> bool:
    """Detach a paper (members); False when it was not attached."""
    _need(user, org, Membership.MEMBER)
    deleted, _ = OrgPaper.objects.filter(org=org, paper_id=str(paper_id or "")[:40]).delete()
    return bool(deleted)

"""The one writer of :class:`~paperfeed.claims.models.Claim`: a user claims an author, withdraws
the claim, a moderator approves or rejects it, or ``PAPERFEED_CLAIM_AUTO_APPROVE`` approves it
when made. Each move is one conditional UPDATE from the states :data:`MOVES` allows, so two
moderators (or a moderator and the user withdrawing) cannot both win.

A second claim on an author another user's approved claim holds is a *dispute*: it is stored
with ``disputed`` set, never approved automatically, and shown to the moderators next to the
approved one (:func:`rivals`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperfeed import params
from paperfeed.claims import evidence, rules
from paperfeed.claims.models import Claim
from paperfeed.claims.orcid import OrcidError, parse
from paperfeed.ops import pagecache
from paperfeed.papers.models import Author, Authorship, Paper

State = Claim.State
MAX_NOTE = 2000
MAX_REASON = 1000
MOVES = {
    State.APPROVED: (State.PENDING,),
    State.REJECTED: (State.PENDING, State.APPROVED),
    State.WITHDRAWN: (State.PENDING, State.APPROVED),
}
"""state -> the states a claim may move to it from (rejected and withdrawn are final)."""


class ClaimError(ValueError):
    """A claim refused, with the reason the user reads."""


class NotFound(ClaimError):
    pass


def _text(name: str, value: str, limit: int) -> str:
    value = params.check_text(name, (value or "").strip())
    if len(value) > limit:
        raise ClaimError(f"{name} is {len(value):,} characters; at most {limit:,}")
    return value


def find_author(author) -> Author:
    if isinstance(author, Author):
        return author
    try:
        return Author.objects.get(pk=int(author))
    except (TypeError, ValueError):
        raise ClaimError(
            f"author must be an author's id (a whole number), not {author!r}"
        ) from None
    except Author.DoesNotExist:
        raise NotFound(f"no author with id {author}") from None


def approved_authors(user) -> list[int]:
    return list(
        Claim.objects.filter(user=user, state=State.APPROVED).values_list("author_id", flat=True)
    )


def preview(user, author, orcid: str = "") -> dict:
    """The evidence a claim of ``author`` by ``user`` would store (the claim form shows it)."""
    return evidence.gather(user, find_author(author), orcid, approved_authors(user))


def make(user, author, *, orcid: str = "", note: str = "") -> Claim:
    """``user`` claims ``author`` (an Author or its id): stored pending with its evidence, or
    approved at once when the auto-approve rule holds and nobody else holds the author."""
    author = find_author(author)
    try:
        orcid = parse(orcid)
    except OrcidError as exc:
        raise ClaimError(str(exc)) from None
    note = _text("note", note, MAX_NOTE)
    with transaction.atomic():
        if Claim.objects.filter(user=user, author=author, state__in=Claim.OPEN).exists():
            raise ClaimError(f"you have already claimed {author.name!r}")
        disputed = (
            Claim.objects.filter(author=author, state=State.APPROVED).exclude(user=user).exists()
        )
        found = evidence.gather(user, author, orcid, approved_authors(user))
        rule = "" if disputed else rules.matching_rule(settings.PAPERFEED_CLAIM_AUTO_APPROVE, found)
        claim = Claim(
            user=user, author=author, orcid=orcid, note=note, evidence=found, disputed=disputed
        )
        if rule:
            claim.state, claim.auto_rule, claim.decided = State.APPROVED, rule, timezone.now()
        try:
            with transaction.atomic():
                claim.save()
        except IntegrityError:  # the same claim made at the same moment
            raise ClaimError(f"you have already claimed {author.name!r}") from None
    return claim


def _move(claim_id: int, to: str, *, user=None, **fields) -> Claim:
    claims = Claim.objects.filter(pk=claim_id)
    if user is not None:
        claims = claims.filter(user=user)
    claim = claims.select_related("author").first()
    if claim is None:
        raise NotFound(f"no claim {claim_id}" + (" of yours" if user is not None else ""))
    changed = Claim.objects.filter(pk=claim.pk, state__in=MOVES[to]).update(
        state=to, decided=timezone.now(), **fields
    )
    if not changed:
        claim.refresh_from_db()
        raise ClaimError(f"claim {claim.pk} is {claim.state}: it cannot be {to} now")
    pagecache.changed("claim decided")  # approved authors link to profiles on every card
    claim.refresh_from_db()
    return claim


def withdraw(user, claim_id: int) -> Claim:
    """The user takes back their own pending or approved claim."""
    return _move(claim_id, State.WITHDRAWN, user=user)


def approve(claim_id: int, moderator) -> Claim:
    """A moderator approves a pending claim (a disputed one too: namesakes both hold it). A
    claim approved while another user's approved claim holds the author becomes disputed,
    whichever was made first."""
    claim = _move(claim_id, State.APPROVED, decided_by=moderator, reason="")
    others = Claim.objects.filter(author_id=claim.author_id, state=State.APPROVED)
    if not claim.disputed and others.exclude(user_id=claim.user_id).exists():
        Claim.objects.filter(pk=claim.pk).update(disputed=True)
        claim.disputed = True
    return claim


def reject_check(reason: str) -> str:
    """A rejection's reason, checked: required, at most MAX_REASON characters."""
    reason = _text("reason", reason, MAX_REASON)
    if not reason:
        raise ClaimError("say why the claim is rejected: the user reads the reason")
    return reason


def reject(claim_id: int, moderator, reason: str) -> Claim:
    """A moderator rejects a pending or approved claim, saying why (the user reads it)."""
    reason = reject_check(reason)
    return _move(claim_id, State.REJECTED, decided_by=moderator, reason=reason)


def of(user) -> list[Claim]:
    """The user's claims, newest first."""
    return list(Claim.objects.filter(user=user).select_related("author"))


def rivals(claim: Claim) -> list[Claim]:
    """The other users' open claims on the same author (a dispute's other side)."""
    return list(
        Claim.objects.filter(author_id=claim.author_id, state__in=Claim.OPEN)
        .exclude(pk=claim.pk)
        .select_related("user")
    )


def papers_by(owner, *, page: int = 1, per_page: int = 50, user=None, **_):
    """A page of the papers of the authors ``owner``'s approved claims hold, newest first."""
    from paperfeed.personal import follow_pages, follows

    held = Authorship.objects.filter(
        author__claims__user=owner, author__claims__state=State.APPROVED
    ).values("paper_id")
    papers = Paper.objects.visible().filter(pk__in=held)
    return follow_pages.page_of(
        papers.order_by(*follows.NEWEST), user=user, page=page, per_page=per_page
    )

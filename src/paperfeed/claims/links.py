"""Which authors link to a user's profile: those an approved claim holds. Read by the lists'
hydration (:func:`paperfeed.papers.lists.hydrate`, a subquery of its authors' query) and by the ``author_links``
filter for authors that came another way (the paper page)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from paperfeed.claims.models import Claim


def holder(author_ref: str = "author_id") -> Subquery:
    """The username :func:`holders` gives, as a subquery over the outer row's ``author_ref``:
    the lists annotate their authorships with it, so linking costs them no query."""
    rows = Claim.objects.filter(
        author_id=OuterRef(author_ref), state=Claim.State.APPROVED, user__is_active=True
    ).order_by("decided", "pk")
    return Subquery(rows.values("user__username")[:1])


def holders(author_ids) -> dict[int, str]:
    """author id -> the username of the user whose approved claim holds it (the earliest
    approved when disputed)."""
    ids = set(author_ids)
    if not ids:
        return {}
    found: dict[int, str] = {}
    rows = (
        Claim.objects.filter(author_id__in=ids, state=Claim.State.APPROVED, user__is_active=True)
        .order_by("decided", "pk")
        .values_list("author_id", "user__username")
    )
    for author_id, username in rows:
        found.setdefault(author_id, username)
    return found


def mark(authors) -> None:
    """Set ``claimed_by`` (a username or "") on each of ``authors``, one query for all."""
    authors = list(authors)
    held = holders(a.pk for a in authors)
    for author in authors:
        author.claimed_by = held.get(author.pk, "")

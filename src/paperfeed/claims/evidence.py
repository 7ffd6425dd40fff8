"""What paperfeed gathers about a claim by itself, stored with it for the moderators, and the
named rules ``PAPERFEED_CLAIM_AUTO_APPROVE`` combines (docs/claims.md).

arXiv records carry no email addresses, so an email domain cannot be matched to a paper; the
evidence is what can be known: the account's verified email domain, an ORCID iD given, how
many papers the name has, co-authors shared with the user's approved authors, and whether the
account's name is the author's name.
"""

from __future__ import annotations

import unicodedata

from paperfeed.papers.models import Authorship
from paperfeed.personal.follow_pages import name_key

SHOWN_COAUTHORS = 5


def _plain(name: str) -> str:
    """Case, accents and spacing folded: "Érdős  Pál" and "erdos pal" are one name."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.casefold().replace(".", " ").split())


def name_match(user, author_name: str) -> str:
    """ "exact" when the account's full name or username is the author's name (folded),
    "initials" when surname and first initial agree, else ""."""
    full = f"{user.first_name} {user.last_name}".strip()
    names = [n for n in (full, user.get_username()) if n]
    if any(_plain(n) == _plain(author_name) for n in names):
        return "exact"
    key = name_key(author_name)
    if key[0] and any(name_key(n) == key for n in names):
        return "initials"
    return ""


def verified_domain(user) -> str:
    """The domain of the account's verified email address (the primary one first), or ""."""
    from allauth.account.models import EmailAddress

    row = (
        EmailAddress.objects.filter(user=user, verified=True)
        .order_by("-primary", "pk")
        .values_list("email", flat=True)
        .first()
    )
    return row.rpartition("@")[2].lower() if row else ""


def _coauthors(author_id: int) -> set[int]:
    papers = Authorship.objects.filter(author_id=author_id).values("paper_id")
    return set(
        Authorship.objects.filter(paper_id__in=papers)
        .exclude(author_id=author_id)
        .values_list("author_id", flat=True)
    )


def gather(user, author, orcid: str, approved_author_ids: list[int]) -> dict:
    """The evidence of ``user`` claiming ``author`` (``approved_author_ids``: the authors the
    user's approved claims hold)."""
    visible = {"paper__deleted": False, "paper__hidden": False}
    n_papers = Authorship.objects.filter(author=author, **visible).values("paper_id").distinct()
    shared: set[int] = set()
    if approved_author_ids:
        mine = _coauthors(author.pk)
        for other in approved_author_ids:
            shared |= mine & _coauthors(other)
    names = sorted(
        Authorship.objects.filter(author_id__in=shared)
        .values_list("author__name", flat=True)
        .distinct()
    )
    return {
        "verified_email_domain": verified_domain(user),
        "orcid_given": bool(orcid),
        "papers_under_name": n_papers.count(),
        "coauthors_in_common": len(shared),
        "coauthors_shown": names[:SHOWN_COAUTHORS],
        "name_match": name_match(user, author.name),
    }

"""Muted papers left out: the one place lists, search and digests ask what a user muted.

A paper is muted for a user when a muted keyword occurs in its title or abstract (a
case-insensitive substring: "llm" also mutes "LLMs"), one of its authors is muted, or it is
listed (primary or cross-list) in a muted category (``cs`` mutes every ``cs.*``).

Each function reads the user's mutes once (one query) and then works in SQL, so a list page
costs one query more for a signed-in user and nothing more for an anonymous one. Keyword mutes
are ``icontains`` terms: no index helps them, but they only run on the rows the list reads
anyway (docs: a 75k-paper category page with five mutes, benchmarks in the report).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q

from paperfeed.papers.models import Authorship, Paper, category_q
from paperfeed.personal.models import Mute

CHUNK = 900
"""Ids per ``IN`` list (under SQLite's variable limit, as the digests' loaders)."""
SHOW_MUTED = "muted"
"""The search page's query parameter (``muted=show``) that shows the papers mutes hid."""


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def muted_q(mutes: Iterable[tuple[str, str]]) -> Q | None:
    """The condition "muted by one of ``mutes``" ((kind, value) pairs) on papers; None when
    there are none (nothing to exclude)."""
    keywords, authors, condition = [], [], Q()
    for kind, value in mutes:
        if kind == Mute.KEYWORD:
            keywords.append(value)
        elif kind == Mute.AUTHOR:
            authors.append(value)
        elif kind == Mute.CATEGORY:
            condition |= category_q(value)
    for keyword in keywords:
        condition |= Q(title__icontains=keyword) | Q(abstract__icontains=keyword)
    if authors:
        by = Authorship.objects.filter(paper=OuterRef("pk"), author__name__in=authors)
        condition |= Exists(by)
    return condition if condition else None


def _matching(ids: list[str], condition: Q) -> set[str]:
    """Which of ``ids`` meet ``condition`` (one query per :data:`CHUNK` ids)."""
    found: set[str] = set()
    for i in range(0, len(ids), CHUNK):
        papers = Paper.objects.filter(arxiv_id__in=ids[i : i + CHUNK]).filter(condition)
        found.update(papers.values_list("pk", flat=True))
    return found


def _user_mutes(user) -> list[tuple[str, str]]:
    return list(Mute.objects.filter(user=user).values_list("kind", "value"))


def hide_for(queryset, user):
    """``queryset`` of papers without those ``user`` muted (unchanged, and no query, for an
    anonymous user; one query for the mutes otherwise)."""
    if not _signed_in(user):
        return queryset
    condition = muted_q(_user_mutes(user))
    return queryset if condition is None else queryset.exclude(condition)


def muted_ids(user, paper_ids: Iterable[str]) -> set[str]:
    """Which of ``paper_ids`` ``user`` muted (no query for an anonymous user or no ids)."""
    ids = list(paper_ids)
    if not ids or not _signed_in(user):
        return set()
    condition = muted_q(_user_mutes(user))
    if condition is None:
        return set()
    return _matching(ids, condition)


def muted_by_user(user_ids: Iterable[int], paper_ids: Iterable[str]) -> dict[int, set[str]]:
    """For each of ``user_ids`` with mutes, which of ``paper_ids`` they muted: one query for all
    the mutes, then one per user who has any (per chunk of ids; the digests of a batch of subscribers)."""
    users = sorted(set(user_ids))
    ids = list(paper_ids)
    if not users or not ids:
        return {}
    mutes: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for i in range(0, len(users), CHUNK):
        rows = Mute.objects.filter(user_id__in=users[i : i + CHUNK])
        for user_id, kind, value in rows.values_list("user_id", "kind", "value"):
            mutes[user_id].append((kind, value))
    found = {}
    for user_id, theirs in mutes.items():
        condition = muted_q(theirs)
        if condition is not None:
            found[user_id] = _matching(ids, condition)
    return found


def split_muted(papers: list, user) -> tuple[list, list]:
    """``papers`` (a page already read) as (kept, muted), each in the given order."""
    hidden = muted_ids(user, (p.pk for p in papers))
    return [p for p in papers if p.pk not in hidden], [p for p in papers if p.pk in hidden]


def hide_muted(request, papers: list, context: dict) -> list:
    """The page's papers without the reader's muted ones (unless ``?muted=show``), and how many
    were hidden in ``context["hidden_by_mutes"]``: the search pages hide visibly."""
    if request.GET.get(SHOW_MUTED) == "show":
        return papers
    papers, muted = split_muted(papers, request.user)
    context["hidden_by_mutes"] = len(muted)
    return papers

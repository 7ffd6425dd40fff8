"""Papers a user has seen: the one writer of :class:`~paperfeed.personal.models.Seen` and the
one place that says what "seen" means.

A paper is seen by a user when they opened its page, dismissed it from a list, or upvoted it
(an upvote stands for a save until collections exist). Each of those is a table with a
(user, paper) row: :data:`SOURCES` names them, and every reader here -- the lists' condition
(:func:`seen_q`), :func:`seen_ids` and the digests' batched :func:`seen_by_user` -- goes
through it, so a new source (a collection) is one more entry there.

Opening a paper page records it (:func:`mark_opened`, one upsert; a read-tracking side effect
of a GET, like a view counter, and never for anonymous users). Dismissing upgrades the row;
undoing a dismissal removes it (the paper is new to the user again). :func:`clear` forgets
the opened and dismissed papers; upvotes stay (remove the upvote to make a paper new again).
What lists and digests do with seen papers is the user's ``Preferences.seen``
(:mod:`paperfeed.personal.preferences`): show, dim or hide.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, Value

from paperfeed.community.models import Vote
from paperfeed.papers.models import Paper
from paperfeed.personal import preferences
from paperfeed.personal.models import Preferences, Seen

SOURCES = (Seen, Vote)
"""The models whose (user, paper) rows make a paper seen by that user."""
CHUNK = 450
"""Ids per ``IN`` list; two such lists in one query stay under SQLite's old 999 limit."""
MAX_PER_PAGE = 200


class SeenError(ValueError):
    """A paper that cannot be marked or unmarked, said in words."""


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def check_paper(user, paper_id: str) -> str:
    """``paper_id`` trimmed, when ``user`` is signed in and it is a visible paper; else
    :class:`SeenError` naming what is wrong."""
    if not _signed_in(user):
        raise SeenError("log in to dismiss papers")
    paper_id = str(paper_id or "").strip()
    if not paper_id:
        raise SeenError("paper_id is empty")
    if not Paper.objects.visible().filter(pk=paper_id).exists():
        raise SeenError(f"no paper {paper_id[:40]!r} here")
    return paper_id


# -- writing ---------------------------------------------------------------------------------
def mark_opened(user, paper_id: str) -> None:
    """Record that ``user`` opened ``paper_id`` (an existing paper): one upsert that refreshes
    the time and keeps a dismissal a dismissal. Nothing for an anonymous user."""
    if not _signed_in(user):
        return
    Seen.objects.bulk_create(
        [Seen(user_id=user.pk, paper_id=paper_id, how=Seen.OPENED)],
        update_conflicts=True,
        unique_fields=["user", "paper"],
        update_fields=["at"],
    )


def dismiss(user, paper_id: str) -> Seen:
    """``user`` is done with ``paper_id`` ("dismiss": seen, without opening it)."""
    paper_id = check_paper(user, paper_id)
    try:
        with transaction.atomic():
            row, _ = Seen.objects.update_or_create(
                user_id=user.pk, paper_id=paper_id, defaults={"how": Seen.DISMISSED}
            )
    except IntegrityError:  # a concurrent first mark of the same paper: now it exists
        row = Seen.objects.get(user_id=user.pk, paper_id=paper_id)
        row.how = Seen.DISMISSED
        row.save(update_fields=["how", "at"])
    return row


def undismiss(user, paper_id: str) -> bool:
    """Undo ``user``'s dismissal of ``paper_id``: the paper is new to them again (an upvote
    still makes it seen). False when it was not dismissed."""
    if not _signed_in(user):
        raise SeenError("log in to undo a dismissal")
    gone, _ = Seen.objects.filter(
        user_id=user.pk, paper_id=str(paper_id), how=Seen.DISMISSED
    ).delete()
    return gone > 0


def clear(user) -> int:
    """Forget the papers ``user`` opened or dismissed ("forget what I've seen"); upvotes stay.
    How many were forgotten."""
    if not _signed_in(user):
        return 0
    gone, _ = Seen.objects.filter(user_id=user.pk).delete()
    return gone


# -- reading ---------------------------------------------------------------------------------
def seen_q(user) -> Q | None:
    """The condition "``user`` has seen it" on papers, in SQL (an ``Exists`` per source); None
    for an anonymous user."""
    if not _signed_in(user):
        return None
    condition = Q()
    for model in SOURCES:
        condition |= Exists(model.objects.filter(user_id=user.pk, paper_id=OuterRef("pk")))
    return condition


def annotate(queryset, user):
    """Papers ``queryset`` with ``seen`` (``user`` has seen it) and ``dismissed`` (they
    dismissed it), in the same query; both False for an anonymous user."""
    condition = seen_q(user)
    if condition is None:
        return queryset.annotate(seen=Value(False), dismissed=Value(False))
    dismissed = Seen.objects.filter(user_id=user.pk, paper_id=OuterRef("pk"), how=Seen.DISMISSED)
    return queryset.annotate(
        seen=ExpressionWrapper(condition, output_field=BooleanField()),
        dismissed=Exists(dismissed),
    )


def mode(user) -> str:
    """What ``user``'s lists do with seen papers (show for an anonymous user, without a query)."""
    if not _signed_in(user):
        return Preferences.SEEN_SHOW
    return preferences.get(user).seen


def for_list(queryset, user):
    """(papers, hidden): ``queryset`` without the papers ``user`` has seen when their mode is
    hide, and how many it left out (one count query, in that mode only); else unchanged, 0."""
    if mode(user) != Preferences.SEEN_HIDE:
        return queryset, 0
    condition = seen_q(user)
    return queryset.exclude(condition), queryset.filter(condition).count()


def dim(papers: list, user) -> list:
    """Set ``paper.dimmed`` on each of ``papers`` (annotated by :func:`annotate`): seen and
    ``user`` dims seen papers. The card template greys those and says "seen"."""
    dims = mode(user) == Preferences.SEEN_DIM
    for paper in papers:
        paper.dimmed = dims and bool(getattr(paper, "seen", False))
    return papers


def seen_ids(user, paper_ids: Iterable[str]) -> set[str]:
    """Which of ``paper_ids`` ``user`` has seen (no query for an anonymous user or no ids)."""
    if not _signed_in(user):
        return set()
    return seen_by_user([user.pk], paper_ids).get(user.pk, set())


def seen_by_user(user_ids: Iterable[int], paper_ids: Iterable[str]) -> dict[int, set[str]]:
    """For each of ``user_ids`` who has seen any of ``paper_ids``, which (the digests and
    alerts of a batch: one query per source and chunk of users and ids)."""
    users, ids = sorted(set(user_ids)), sorted(set(paper_ids))
    found: dict[int, set[str]] = defaultdict(set)
    for u in range(0, len(users), CHUNK):
        for i in range(0, len(ids), CHUNK):
            for model in SOURCES:
                rows = model.objects.filter(
                    user_id__in=users[u : u + CHUNK], paper_id__in=ids[i : i + CHUNK]
                )
                for user_id, paper_id in rows.values_list("user_id", "paper_id"):
                    found[user_id].add(paper_id)
    return dict(found)


def hidden_by_user(user_ids: Iterable[int], paper_ids: Iterable[str]) -> dict[int, set[str]]:
    """:func:`seen_by_user` for those of ``user_ids`` whose preference hides seen papers (the
    digests and alerts: one query for the preferences, then the batch's)."""
    users = sorted(set(user_ids))
    hiders: list[int] = []
    for u in range(0, len(users), CHUNK * 2):
        rows = Preferences.objects.filter(
            user_id__in=users[u : u + CHUNK * 2], seen=Preferences.SEEN_HIDE
        )
        hiders += rows.values_list("user_id", flat=True)
    return seen_by_user(hiders, paper_ids) if hiders else {}


def count(user) -> dict[str, int]:
    """How many papers ``user`` opened and dismissed (the settings page)."""
    counts = {Seen.OPENED: 0, Seen.DISMISSED: 0}
    if _signed_in(user):
        rows = Seen.objects.filter(user_id=user.pk).order_by().values_list("how")
        for how, n in rows.annotate(n=Count("pk")):
            counts[how] = n
    return counts


def history(user, *, how: str | None = None, page: int = 1, per_page: int = 50):
    """(rows, total) of ``user``'s seen papers, newest first, each with its paper selected;
    ``how`` keeps one kind (opened or dismissed)."""
    hows = [h for h, _ in Seen.HOWS]
    if how is not None and how not in hows:
        raise SeenError(f"how must be one of {', '.join(hows)}, not {str(how)[:20]!r}")
    if not isinstance(page, int) or page < 1:
        raise SeenError(f"page must be a whole number >= 1, not {page!r}")
    if not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
        raise SeenError(f"per_page must be between 1 and {MAX_PER_PAGE}, not {per_page!r}")
    rows = Seen.objects.filter(user_id=user.pk)
    if how is not None:
        rows = rows.filter(how=how)
    total = rows.count()
    start = (page - 1) * per_page
    shown = rows.select_related("paper").only("how", "at", "paper__arxiv_id", "paper__title")
    return list(shown.order_by("-at", "-pk")[start : start + per_page]), total

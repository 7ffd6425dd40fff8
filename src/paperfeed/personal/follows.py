"""Following authors, categories, organisations and saved searches: the one writer of
:class:`~paperfeed.personal.models.Follow`, and which papers each follow matches.

Every door (the follow buttons, ``/follows``, the API) comes here, so a value is checked the same
way everywhere and a refusal says in words what was wrong (:class:`FollowError`). Stored values:

- **author**: the :class:`~paperfeed.papers.models.Author` primary key as text (following is
  after disambiguation: the person, not a name several people share); label: their name.
- **category**: as arXiv writes it, one of the subscription forms' categories
  (:func:`paperfeed.digests.choices.category_choices`: arXiv's cs list and the store's primary
  categories) or an archive of them (``cs`` follows every ``cs.*``); ``cs.XX`` is refused.
- **org**: a local organisation's slug (``paperfeed.orgs``; label: its name) or a Hugging Face
  organisation name some paper's signals carry (``PaperSignals.org_name``; label: its full
  name); either matches the organisation's papers under its other name too
  (``paperfeed.orgs.matching.follow_q``).
- **search**: the query with its white space collapsed, :data:`MIN_QUERY` to :data:`MAX_QUERY`
  characters.

Which papers (:func:`papers_of`): authors, categories and organisations in SQL; a search through
:func:`paperfeed.search.search` sorted newest first, its :data:`SEARCH_DEPTH` newest matches that
contain query terms or are close in meaning (cosine >= the hybrid search's
:data:`~paperfeed.search.SEMANTIC_FLOOR`, as the digests' saved-search alerts). Which follows
a page's papers match (:func:`matched_by`) is a few queries for the whole page; searches are
matched lexically there (see its docstring).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet

from paperfeed.orgs import matching as org_matching
from paperfeed.papers.models import Author, Authorship, Paper, category_q
from paperfeed.personal.models import Follow

log = logging.getLogger(__name__)

KINDS = tuple(kind for kind, _ in Follow.KINDS)
ALERTS = tuple(alert for alert, _ in Follow.ALERTS)
MAX_FOLLOWS = 200
"""Follows one user may keep (each is a term of their for-you order and of their alerts)."""
MIN_QUERY = 2
MAX_QUERY = 200
SEARCH_DEPTH = 200
"""A search follow's papers: at most this many of its newest matches."""
CHUNK = 900
"""Ids per ``IN`` list (under SQLite's variable limit)."""
NEWEST = (F("feed_day").desc(nulls_last=True), F("arxiv_id").desc())
"""Newest first: the latest feed day, then the larger arXiv id (the lists' "newest")."""
_OPERATORS = {"and", "or", "not"}


class FollowError(ValueError):
    """A follow that cannot be made or changed, said in words."""


class NoSuchFollow(FollowError):
    """The user has no follow with that id (the API answers 404)."""


# -- values ---------------------------------------------------------------------------------
def _category(text: str) -> str:
    from paperfeed.digests import choices  # the subscription forms' list, one copy

    offered = {name for _, group in choices.category_choices() for name, _ in group}
    by_lower = {name.lower(): name for name in offered}
    archives = {choices.archive_of(name).lower(): choices.archive_of(name) for name in offered}
    key = text.lower()
    if key in by_lower:
        return by_lower[key]
    if key in archives:
        return archives[key]
    raise FollowError(f"{text[:40]!r} is not an arXiv category (e.g. cs.LG, or cs for all of cs)")


def _org(text: str) -> tuple[str, str]:
    """A local organisation's slug (paperfeed.orgs) or a Hugging Face organisation's name."""
    from paperfeed.orgs.models import Organisation
    from paperfeed.signals.models import PaperSignals

    local = Organisation.objects.filter(slug=text.lower()).values_list("slug", "name").first()
    if local is not None:
        return local
    rows = PaperSignals.objects.exclude(org_name="").order_by()
    row = rows.filter(org_name=text).values_list("org_name", "org_fullname").first()
    if row is None:
        row = rows.filter(org_name__iexact=text).values_list("org_name", "org_fullname").first()
    if row is None:
        raise FollowError(f"no organisation called {text[:80]!r} has papers here")
    name, full = row
    return name, full or name


def normalise(kind: str, value: object) -> tuple[str, str]:
    """``(value, label)`` as stored for ``kind``, or :class:`FollowError` naming what is wrong.

    >>> normalise("search", "  speculative   decoding ")
    ('speculative decoding', 'speculative decoding')
    >>> normalise("search", "x")
    Traceback (most recent call last):
    ...
    paperfeed.personal.follows.FollowError: a search must be 2 to 200 characters, not 'x'
    """
    if kind not in KINDS:
        raise FollowError(f"kind must be one of {', '.join(KINDS)}, not {str(kind)[:20]!r}")
    text = " ".join(str(value).split())
    if not text:
        raise FollowError(f"say which {dict(Follow.KINDS)[kind].lower()} to follow")
    if kind == Follow.AUTHOR:
        if not text.isdigit():
            raise FollowError(f"an author is followed by id (a whole number), not {text[:40]!r}")
        name = Author.objects.filter(pk=int(text)).values_list("name", flat=True).first()
        if name is None:
            raise FollowError(f"no author with id {text[:20]}")
        return str(int(text)), name
    if kind == Follow.CATEGORY:
        name = _category(text)
        return name, name
    if kind == Follow.ORG:
        return _org(text)
    if not MIN_QUERY <= len(text) <= MAX_QUERY:
        raise FollowError(
            f"a search must be {MIN_QUERY} to {MAX_QUERY} characters, not {text[:40]!r}"
        )
    return text, text


def check_alert(alert: object) -> str:
    if alert not in ALERTS:
        raise FollowError(f"alert must be one of {', '.join(ALERTS)}, not {str(alert)[:20]!r}")
    return alert


def _check_user(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise FollowError("log in to follow authors, categories, organisations or searches")
    if not user.is_active:
        raise FollowError("this account is deactivated")


# -- writing --------------------------------------------------------------------------------
def follow(user, kind: str, value: object, *, alert: str | None = None) -> tuple[Follow, bool]:
    """Follow ``value`` for ``user``; returns the row and whether it is new. Following twice is
    one follow (its alert changes when ``alert`` is given). At most :data:`MAX_FOLLOWS`."""
    _check_user(user)
    value, label = normalise(kind, value)
    if alert is not None:
        check_alert(alert)
    existing = Follow.objects.filter(user=user, kind=kind, value=value).first()
    if existing is not None:
        changed = []
        if alert is not None and existing.alert != alert:
            existing.alert = alert
            changed.append("alert")
        if existing.label != label:
            existing.label = label
            changed.append("label")
        if changed:
            existing.save(update_fields=changed)
        return existing, False
    if Follow.objects.filter(user=user).count() >= MAX_FOLLOWS:
        raise FollowError(f"at most {MAX_FOLLOWS} follows: unfollow one first")
    fields = {"label": label, "alert": alert or Follow.NO_ALERT}
    try:
        with transaction.atomic():  # savepoint: a concurrent click may insert it first
            return Follow.objects.create(user=user, kind=kind, value=value, **fields), True
    except IntegrityError:
        return Follow.objects.get(user=user, kind=kind, value=value), False


def get(user, follow_id: int) -> Follow:
    """The user's follow ``follow_id``, or :class:`NoSuchFollow`."""
    _check_user(user)
    found = Follow.objects.filter(user=user, pk=follow_id).first()
    if found is None:
        raise NoSuchFollow(f"you have no follow {follow_id}")
    return found


def unfollow(user, follow_id: int) -> bool:
    """Stop following; False when the user has no such follow (removing twice is no error)."""
    _check_user(user)
    deleted, _ = Follow.objects.filter(user=user, pk=follow_id).delete()
    return bool(deleted)


def set_alert(user, follow_id: int, alert: str) -> Follow:
    """Set the mail alert (none / instant / daily / weekly) of one of the user's follows."""
    check_alert(alert)
    found = get(user, follow_id)
    if found.alert != alert:
        found.alert = alert
        found.save(update_fields=["alert"])
    return found


def stop_alerts(user) -> int:
    """Set every follow of ``user`` to no mail, in one ``UPDATE`` (the alert mails' "stop all
    alerts" link, which serves whatever account its signed token names, a deactivated one
    included); the follows stay. How many were sending."""
    sending = Follow.objects.filter(user=user).exclude(alert=Follow.NO_ALERT)
    return sending.update(alert=Follow.NO_ALERT)


def follows_of(user) -> list[Follow]:
    """The user's follows, by kind then label (none for an anonymous user)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(Follow.objects.filter(user=user))


def following(user, kind: str, value: str) -> Follow | None:
    """The user's follow of exactly ``value`` (as stored), or None: the follow buttons' state."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Follow.objects.filter(user=user, kind=kind, value=value).first()


# -- papers ---------------------------------------------------------------------------------
def search_ids(query: str, since: dt.date | None = None) -> list[str]:
    """The ids of a search follow's papers, newest first (empty when no index exists)."""
    from paperfeed.search import SEMANTIC_FLOOR, IndexMissing, search

    try:
        hits = search(query, limit=SEARCH_DEPTH, sort="newest", since=since).hits
    except IndexMissing:
        log.warning("no search index: search follow %r has no papers (run paperfeed index)", query)
        return []
    return [h.id for h in hits if h.terms or (h.similarity or 0.0) >= SEMANTIC_FLOOR]


def papers_of(follow: Follow, *, since: dt.date | None = None) -> QuerySet[Paper]:
    """The visible papers ``follow`` matches, newest first (:data:`NEWEST`); with ``since``,
    only those whose feed day is on or after it.

    An author: papers with an authorship of that author id; a category: :func:`category_q`; an
    organisation: papers whose Hugging Face signals name it; a search: the ids of
    :func:`search_ids` (one search query, then a queryset over at most :data:`SEARCH_DEPTH`
    ids -- not sliced, so callers may filter it further)."""
    papers = Paper.objects.visible()
    if follow.kind == Follow.AUTHOR:
        by = Authorship.objects.filter(author_id=int(follow.value)).values("paper_id")
        papers = papers.filter(pk__in=by)
    elif follow.kind == Follow.CATEGORY:
        papers = papers.filter(category_q(follow.value))
    elif follow.kind == Follow.ORG:
        papers = papers.filter(org_matching.follow_q(follow.value))
    elif follow.kind == Follow.SEARCH:
        papers = papers.filter(pk__in=search_ids(follow.value, since))
    else:
        return Paper.objects.none()
    if since is not None:
        papers = papers.filter(feed_day__gte=since)
    return papers.order_by(*NEWEST)


def _search_terms(query: str) -> tuple[list[str], list[str]]:
    """A search's plain words (without the boolean operators) and its ``cat:`` filters."""
    from paperfeed.search.query import parse

    parsed = parse(query)
    words = [w for w in parsed.words if w not in _OPERATORS]
    return words, list(parsed.categories)


def _in_category(categories: str, wanted: str) -> bool:
    """``category_q`` in Python: listed in ``wanted`` (``cs``: any ``cs.*``), any case for the
    search filters (which the query parser lower-cases)."""
    wanted = wanted.lower()
    for name in categories.lower().split():
        if name == wanted or ("." not in wanted and name.startswith(wanted + ".")):
            return True
    return False


def _matches_search(words: list[str], cats: list[str], text: str, categories: str) -> bool:
    if not words and not cats:
        return False
    if cats and not any(_in_category(categories, c) for c in cats):
        return False
    return all(re.search(r"\b" + re.escape(w), text) for w in words)


def matched_by(user, paper_ids: Iterable[str]) -> dict[str, list[Follow]]:
    """Which of ``user``'s follows each of ``paper_ids`` matches (papers matching none are
    absent), each paper's follows in the user's follow order.

    Queries: one for the follows, then per :data:`CHUNK` ids one for the authorships of the
    followed authors and one for the papers' categories, organisation (and, with search follows,
    title and abstract). Searches are matched lexically on those rows, not through the index:
    every word of the query (without AND/OR/NOT) starts a word of the title or abstract, in any
    case, and its ``cat:`` filters hold. A paper a search found only by meaning is not named
    here (the search page and :func:`papers_of` still list it)."""
    ids = sorted(set(paper_ids))
    theirs = follows_of(user)
    if not ids or not theirs:
        return {}
    authors: dict[int, list[Follow]] = defaultdict(list)
    categories, orgs, searches = [], defaultdict(list), []
    for f in theirs:
        if f.kind == Follow.AUTHOR and f.value.isdigit():
            authors[int(f.value)].append(f)
        elif f.kind == Follow.CATEGORY:
            categories.append(f)
        elif f.kind == Follow.ORG:
            orgs[f.value].append(f)
        elif f.kind == Follow.SEARCH:
            searches.append((f, *_search_terms(f.value)))
    found: dict[str, set[int]] = defaultdict(set)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        if authors:
            rows = Authorship.objects.filter(paper_id__in=chunk, author_id__in=list(authors))
            for paper_id, author_id in rows.values_list("paper_id", "author_id"):
                found[paper_id].update(f.pk for f in authors[author_id])
        if not (categories or orgs or searches):
            continue
        fields = ["pk", "categories", "signals__org_name"]
        if searches:
            fields += ["title", "abstract"]
        rows = list(Paper.objects.filter(pk__in=chunk).order_by().values_list(*fields))
        names = org_matching.names_of({r[0]: r[2] or "" for r in rows}) if orgs else {}
        for row in rows:
            paper_id, listed = row[0], row[1]
            for f in categories:
                if _in_category(listed, f.value):
                    found[paper_id].add(f.pk)
            for name in names.get(paper_id, ()):
                found[paper_id].update(f.pk for f in orgs.get(name, ()))
            if searches:
                text = f"{row[3]} {row[4]}".lower()
                for f, words, cats in searches:
                    if _matches_search(words, cats, text, listed):
                        found[paper_id].add(f.pk)
    return {pid: [f for f in theirs if f.pk in pks] for pid, pks in found.items() if pks}


def any_q(follows: Iterable[Follow]) -> Q | None:
    """The condition "matched by one of ``follows``" for authors, categories and organisations
    (searches are not a SQL condition: see :func:`merged_ids`); None when there are none."""
    condition = Q()
    for f in follows:
        if f.kind == Follow.AUTHOR and f.value.isdigit():
            condition |= Q(authorships__author_id=int(f.value))
        elif f.kind == Follow.CATEGORY:
            condition |= category_q(f.value)
        elif f.kind == Follow.ORG:
            condition |= org_matching.follow_q(f.value)
    return condition if condition else None


def merged(user, *, since: dt.date | None = None) -> QuerySet[Paper]:
    """The visible papers any of ``user``'s follows matches, newest first: the all-follows
    feed. One search per search follow, then one queryset."""
    theirs = follows_of(user)
    condition = any_q(theirs)
    search_hits = [
        pid for f in theirs if f.kind == Follow.SEARCH for pid in search_ids(f.value, since)
    ]
    if search_hits:
        hit = Q(pk__in=search_hits)
        condition = hit if condition is None else condition | hit
    if condition is None:
        return Paper.objects.none()
    papers = Paper.objects.visible().filter(
        pk__in=Paper.objects.filter(condition).values("pk")  # authorship joins: no duplicates
    )
    if since is not None:
        papers = papers.filter(feed_day__gte=since)
    return papers.order_by(*NEWEST)

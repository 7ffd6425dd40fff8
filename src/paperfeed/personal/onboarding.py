"""Onboarding (/welcome): the three steps that give a new account a profile on its first visit.

1. **Categories** the user follows (``Follow`` kind category), picked from the subscription
   forms' grouped arXiv list (:func:`paperfeed.digests.choices.category_choices`); a name not
   on it (``cs.XX``) is refused with a message naming it.
2. **Topics** typed in words ("speculative decoding"), each a saved-search follow (``Follow``
   kind search), at most :data:`MAX_TOPICS`.
3. **Papers** marked "more like this" (``Feedback`` +1 through
   :func:`paperfeed.digests.feedback.set_feedback`), from :func:`suggestions` — recent papers
   best matching the topics within the categories, then the hottest recent papers of those
   categories — or from :func:`find`, the same search behind a search box.

Each step replaces what that step chose before (re-entering shows it, unchecking unfollows),
writing through :mod:`paperfeed.personal.follows` (the one writer of follows) and
:mod:`paperfeed.digests.feedback`; the pages, the API and the tests call one function per step.
:func:`finish` records that onboarding is over (:func:`paperfeed.personal.preferences.mark_onboarded`,
the first time kept); :func:`needs_onboarding` says whether a login should land on /welcome.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from paperfeed.community.models import Vote
from paperfeed.digests import choices, feedback
from paperfeed.digests.models import Feedback
from paperfeed.papers import lists
from paperfeed.papers.models import Paper
from paperfeed.personal import filters, follows, preferences
from paperfeed.personal.models import Follow, Preferences

log = logging.getLogger(__name__)

MAX_CATEGORIES = 40
MAX_TOPICS = 10
MIN_TOPIC = 2
MAX_TOPIC = 100
SUGGESTIONS = 12
"""Papers step 3 suggests."""
PER_TOPIC = 4
"""Search hits asked for per topic (the suggestions interleave the topics)."""
RECENT_DAYS = 60
"""Topic matches come from the feed days of this many days ending with the newest one."""
MAX_FOUND = 10
"""Hits of the step's search box."""


class OnboardingError(ValueError):
    """A step's input that cannot be saved, said in words naming what is wrong."""


@dataclass
class State:
    """What the user chose so far: what /welcome shows again and /api/v1/me/onboarding returns."""

    categories: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    marked: list[str] = field(default_factory=list)  # paper ids marked "more like this"
    onboarded_at: dt.datetime | None = None


@dataclass
class Suggestion:
    """A paper step 3 offers and why (``paper`` decorated like every list's paper)."""

    paper: Paper
    why: str


def _check_user(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise OnboardingError("log in first")
    if not user.is_active:
        raise OnboardingError("this account is deactivated")


# -- state -----------------------------------------------------------------------------------
def followed(user, kind: str) -> list[str]:
    """The values ``user`` follows of ``kind``, oldest follow first."""
    rows = Follow.objects.filter(user=user, kind=kind).order_by("created", "pk")
    return list(rows.values_list("value", flat=True))


def marked_ids(user) -> list[str]:
    """The papers ``user`` marked "more like this", newest mark first (one query)."""
    rows = Feedback.objects.filter(user=user, signal=feedback.MORE).order_by("-created", "-pk")
    return list(rows.values_list("paper_id", flat=True))


def state(user) -> State:
    """What ``user`` chose in each step so far (four queries)."""
    prefs = Preferences.objects.filter(user=user).first()
    return State(
        categories=followed(user, Follow.CATEGORY),
        topics=followed(user, Follow.SEARCH),
        marked=marked_ids(user),
        onboarded_at=prefs.onboarded_at if prefs else None,
    )


def needs_onboarding(user) -> bool:
    """True for an account that has done nothing yet: onboarding never finished or skipped, no
    follow, no upvote, no "more / less like this" (a login of such a user lands on /welcome)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if Preferences.objects.filter(user=user, onboarded_at__isnull=False).exists():
        return False
    return not (
        Follow.objects.filter(user=user).exists()
        or Vote.objects.filter(user=user).exists()
        or Feedback.objects.filter(user=user).exists()
    )


# -- saving the follows of steps 1 and 2 -----------------------------------------------------
def _replace_follows(user, kind: str, values: list[str]) -> None:
    """Make ``user``'s follows of ``kind`` exactly ``values`` through
    :func:`paperfeed.personal.follows.follow` (new ones without an alert) and ``unfollow``;
    the follows kept keep their alert. All or nothing."""
    with transaction.atomic():
        for row in Follow.objects.filter(user=user, kind=kind).exclude(value__in=values):
            follows.unfollow(user, row.pk)
        try:
            for value in values:
                follows.follow(user, kind, value)
        except follows.FollowError as exc:
            raise OnboardingError(str(exc)) from None


def category_choices(user=None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Step 1's checkboxes: the subscription forms' grouped categories plus those the user
    already follows."""
    keep = followed(user, Follow.CATEGORY) if user is not None else []
    return choices.category_choices(keep=keep)


def clean_categories(values: Iterable[str], user=None) -> list[str]:
    """The picked categories, each one of :func:`category_choices`, in the order given without
    repeats; :class:`OnboardingError` names the first that is not."""
    offered = {name for _, group in category_choices(user) for name, _ in group}
    picked: list[str] = []
    for raw in values:
        name = raw.strip()
        if not name or name in picked:
            continue
        if name not in offered:
            raise OnboardingError(
                f"{name[:40]} is not an arXiv category (pick from the list, e.g. cs.LG)"
            )
        picked.append(name)
    if len(picked) > MAX_CATEGORIES:
        raise OnboardingError(f"at most {MAX_CATEGORIES} categories, not {len(picked)}")
    return picked


def save_categories(user, values: Iterable[str]) -> list[str]:
    """Step 1: follow exactly the picked categories (validated first; nothing is saved when
    one is wrong). Returns them."""
    _check_user(user)
    picked = clean_categories(values, user)
    _replace_follows(user, Follow.CATEGORY, picked)
    return picked


def split_topics(text: str) -> list[str]:
    """The topics of a text box: one per line (commas and semicolons separate too).

    >>> split_topics("speculative decoding, protein folding\\n\\n  kv  cache ")
    ['speculative decoding', 'protein folding', 'kv  cache']
    """
    parts = text.replace(";", "\n").replace(",", "\n").splitlines()
    return [part.strip() for part in parts if part.strip()]


def clean_topics(values: Iterable[str]) -> list[str]:
    """Topics as stored (white space collapsed, repeats ignoring case dropped), or
    :class:`OnboardingError` naming the wrong one.

    >>> clean_topics(["  Speculative   decoding ", "speculative decoding", "protein folding"])
    ['Speculative decoding', 'protein folding']
    >>> clean_topics(["x"])
    Traceback (most recent call last):
    ...
    paperfeed.personal.onboarding.OnboardingError: a topic must be 2 to 100 characters, not 'x'
    """
    topics: list[str] = []
    seen: set[str] = set()
    for raw in values:
        topic = " ".join(str(raw).split())
        if not topic:
            continue
        if not MIN_TOPIC <= len(topic) <= MAX_TOPIC:
            raise OnboardingError(
                f"a topic must be {MIN_TOPIC} to {MAX_TOPIC} characters, not {topic[:40]!r}"
            )
        if topic.casefold() in seen:
            continue
        seen.add(topic.casefold())
        topics.append(topic)
    if len(topics) > MAX_TOPICS:
        raise OnboardingError(f"at most {MAX_TOPICS} topics, not {len(topics)}")
    return topics


def save_topics(user, values: Iterable[str]) -> list[str]:
    """Step 2: follow exactly these topics as saved searches (validated first). Returns them."""
    _check_user(user)
    topics = clean_topics(values)
    _replace_follows(user, Follow.SEARCH, topics)
    return topics


# -- step 3: papers --------------------------------------------------------------------------
def _in_categories(paper: Paper, categories: list[str]) -> bool:
    """Whether ``paper`` is listed in one of ``categories`` (``cs`` means every ``cs.*``)."""
    listed = paper.categories.split()
    return any(c == f or c.startswith(f + ".") for f in categories for c in listed)


def _topic_matches(user, topics: list[str], categories: list[str]) -> list[tuple[str, str]]:
    """(paper id, topic) of recent papers best matching each topic within ``categories``,
    interleaved topic by topic (each topic's best first)."""
    from paperfeed import search  # the search package loads its indexes on first use

    latest = lists.latest_day()
    if latest is None or not topics:
        return []
    since = latest - dt.timedelta(days=RECENT_DAYS)
    per_topic: list[list[tuple[str, str]]] = []
    for topic in topics:
        try:
            result = search.search(
                topic, limit=PER_TOPIC, categories=categories or None, since=since
            )
        except search.IndexMissing:
            log.warning("onboarding: no search index yet, topic suggestions left out")
            return []
        per_topic.append([(hit.id, topic) for hit in result.hits])
    interleaved = []
    for rank in range(PER_TOPIC):
        interleaved += [hits[rank] for hits in per_topic if rank < len(hits)]
    return interleaved


def suggestions(user, *, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Step 3's papers for ``user``: recent papers matching their topics (within their
    categories), then the hottest papers of the last two weeks in their categories (in every
    category when they follow none); without muted papers, ``limit`` at most."""
    categories = followed(user, Follow.CATEGORY)
    topics = followed(user, Follow.SEARCH)
    why: dict[str, str] = {}
    for paper_id, topic in _topic_matches(user, topics, categories):
        why.setdefault(paper_id, f"matches your topic “{topic}”")
    papers = {p.pk: p for p in lists.hydrate(list(why), user)}
    hot = lists.trending(sort="hot", per_page=lists.MAX_PER_PAGE, user=user).items
    for paper in hot:
        if len(why) >= limit * 2:
            break
        if paper.pk not in why and (not categories or _in_categories(paper, categories)):
            where = paper.primary_category if categories else "this fortnight"
            why[paper.pk] = f"popular in {where}" if categories else "popular this fortnight"
            papers[paper.pk] = paper
    muted = filters.muted_ids(user, why)
    picked = [pid for pid in why if pid in papers and pid not in muted][:limit]
    return [Suggestion(papers[pid], why[pid]) for pid in picked]


def find(user, query: str, *, limit: int = MAX_FOUND) -> list[Paper]:
    """The search box of step 3: papers matching ``query`` (the site's search, best first),
    without muted ones. An empty query finds nothing."""
    from paperfeed import search

    if not query.strip():
        return []
    try:
        result = search.search(query[:300], limit=limit)
    except search.IndexMissing:
        return []
    papers = search.papers_for(result, user)
    muted = filters.muted_ids(user, (p.pk for p in papers))
    return [p for p in papers if p.pk not in muted]


def mark(user, paper_id: str, marked: bool) -> bool:
    """Mark (``marked`` True: "more like this") or unmark a paper; idempotent. Returns whether
    it is marked now. Raises :class:`OnboardingError` for an unknown paper."""
    _check_user(user)
    try:
        now = feedback.set_feedback(user, paper_id, feedback.MORE if marked else None)
    except feedback.FeedbackError as exc:
        raise OnboardingError(str(exc)) from None
    return now == feedback.MORE


def marked_papers(user, limit: int = 50) -> list[Paper]:
    """The papers ``user`` marked, newest mark first, decorated like a list's."""
    return lists.hydrate(marked_ids(user)[:limit], user)


# -- the end ---------------------------------------------------------------------------------
def finish(user) -> dt.datetime:
    """Record that ``user`` is done with onboarding (finished or skipped): logins stop landing
    on /welcome. A second call keeps the first time. Returns it."""
    _check_user(user)
    first = (
        Preferences.objects.filter(user=user, onboarded_at__isnull=False)
        .values_list("onboarded_at", flat=True)
        .first()
    )
    return first or preferences.mark_onboarded(user).onboarded_at

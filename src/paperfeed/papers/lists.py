"""The paper lists every page, feed and API endpoint shows: one implementation, called thrice.

Each function returns a :class:`PaperPage` whose ``items`` are :class:`Paper` objects ready to
display, whatever the page length, in a handful of queries (count, page, authors):

- ``paper.author_list``: the authors in order (prefetched), each with ``claimed_by``: the
  username an approved claim links it to, or "" (:mod:`paperfeed.claims.links`);
- ``paper.submission`` and its ``user`` selected (None when nobody submitted it);
- ``paper.external``: its :class:`~paperfeed.signals.models.PaperSignals` (selected), or None
  when no service said anything about it;
- ``paper.n_comments``: visible comments (not hidden, nor replies to a hidden comment);
- ``paper.voted``: whether ``user`` upvoted it (False for anonymous users).

``sort`` names a ranking of the registry (:mod:`paperfeed.rankings`) that the store can compute
(every one but search's relevance); :mod:`paperfeed.papers.ranked` runs it, in SQL when it
declares a pushdown. Each item's ``paper.rank_score`` is its score by that ranking. The day, week
and month lists are ordered by :data:`DEFAULT_SORT` unless asked otherwise.

``sort="for_you"`` (:data:`FOR_YOU`, the personal ranking of the registry) orders the day, week
and month lists for one member: the caller passes ``personal``, a :class:`Personaliser` (what
:func:`paperfeed.personal.order.personaliser` gives for a member with a profile; this module
cannot import the for-you code, which reaches back here through search). Every paper of the
period is scored (:func:`_personal_page`), and each item gets ``paper.for_you_why``: the reasons.

``has_code=True`` keeps the papers with code (a linked repository or Hugging Face artifact:
``PaperSignals.has_code``) in every list.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery, Value
from django.utils import timezone

from paperfeed import rankings
from paperfeed.claims import links
from paperfeed.community.models import Vote
from paperfeed.papers import ranked
from paperfeed.papers.models import Authorship, Paper, PaperQuerySet
from paperfeed.personal import filters, seen
from paperfeed.rankings import gravity

MAX_PER_PAGE = 200
DEFAULT_SORT = "hot"
"""The order of the day, week and month lists (pages, API feeds, RSS) when none is asked for:
the blend of local upvotes and what other services say, so that a fresh install with signals
but no votes of its own still has a meaningful daily page (docs/rankings.md)."""
TRENDING_SORTS = ("hot", "trending", "stars")
"""The orders of the trending list; the first is its default (Hot: every signal, not only
local votes, so a new install's trending is not a tie of papers at 0)."""
"""The orders of the trending list: decayed upvotes, or GitHub stars gained this week (as
Hugging Face's trending page)."""


FOR_YOU = "for_you"
"""The personal ranking (registry: ``for_you``): only with a :class:`Personaliser`."""
NO_PROFILE = (
    "sort=for_you is for a signed-in member with a profile: follow an author, a category or a "
    "search, or upvote a few papers first"
)
"""What a list says to anyone asking for the for-you order without a profile."""


class PersonalOrder(Protocol):
    """What a personaliser returns (:class:`paperfeed.personal.foryou.PersonalOrder`)."""

    scores: dict[str, float]
    why: dict[str, list[str]]


class Personaliser(Protocol):
    """Scores a list's rows for one member: ``personal(rows, now)``."""

    def __call__(self, rows: list[rankings.Row], now: dt.datetime) -> PersonalOrder: ...


class ListError(ValueError):
    """A bad argument to a list function (sort, page, date), said in words."""


@dataclass
class PaperPage:
    """One page of a paper list."""

    items: list[Paper]
    total: int
    page: int
    per_page: int
    has_next: bool
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# -- building blocks ------------------------------------------------------------------------
def sorts() -> tuple[str, ...]:
    """The rankings a list can be sorted by: the registered ones the store has the inputs of."""
    return tuple(r.name for r in rankings.all_rankings() if ranked.can_rank(r))


def _ranking(sort: str) -> rankings.Ranking:
    choices = sorts()
    if sort not in choices:
        raise ListError(f"sort must be one of {', '.join(choices)}, not {sort!r}")
    return rankings.get(sort)


def _check_page(page: int, per_page: int) -> None:
    if not isinstance(page, int) or page < 1:
        raise ListError(f"page must be a whole number >= 1, not {page!r}")
    if not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
        raise ListError(f"per_page must be between 1 and {MAX_PER_PAGE}, not {per_page!r}")


def _with_code(queryset: PaperQuerySet, has_code: bool) -> PaperQuerySet:
    """``queryset``, only the papers with code when ``has_code``."""
    return queryset.filter(signals__has_code=True) if has_code else queryset


def _user_id(user) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


def decorate(queryset: PaperQuerySet, user=None) -> PaperQuerySet:
    """``queryset`` with submitter, comment count, the user's vote and ordered authors."""
    qs = (
        queryset.defer("title_raw", "abstract_raw")
        .select_related("submission__user", "signals")
        .annotate(n_comments=ranked.comment_count())
    )
    user_id = _user_id(user)
    if user_id is not None:
        qs = qs.annotate(voted=Exists(Vote.objects.filter(user_id=user_id, paper=OuterRef("pk"))))
    else:
        qs = qs.annotate(voted=Value(False))
    qs = seen.annotate(qs, user)  # paper.seen, paper.dismissed
    authorships = (
        Authorship.objects.select_related("author")
        .annotate(claimed_by=links.holder())  # the profile an approved claim links it to
        .order_by("position")
    )
    return qs.prefetch_related(
        Prefetch("authorships", queryset=authorships, to_attr="_authorships")
    )


def _finish(papers: list[Paper]) -> list[Paper]:
    for paper in papers:
        # what the card reads, set later on some lists only: a template lookup that misses
        # costs Django a dir() of the model (~25 µs, three a card)
        paper.dimmed = False
        paper.for_you_why = None
        paper.author_list = [a.author for a in getattr(paper, "_authorships", [])]
        for authorship in getattr(paper, "_authorships", []):
            authorship.author.claimed_by = authorship.claimed_by or ""
        try:
            paper.submitter = paper.submission.user  # None: the submitter's account was deleted
            paper.submitter_deleted = paper.submitter is None
        except Paper.submission.RelatedObjectDoesNotExist:
            paper.submitter = None
            paper.submitter_deleted = False
        try:
            paper.external = paper.signals  # selected with the paper
        except Paper.signals.RelatedObjectDoesNotExist:
            paper.external = None
    return papers


def hydrate(ids: list[str], user=None) -> list[Paper]:
    """The visible papers with ``ids``, decorated, in the order of ``ids`` (unknown ids dropped)."""
    found = {
        p.arxiv_id: p
        for p in decorate(Paper.objects.visible().filter(arxiv_id__in=ids).order_by(), user)
    }
    return _finish([found[i] for i in ids if i in found])


def _ordered_page(queryset, order: Sequence, page: int, per_page: int, user) -> PaperPage:
    total = queryset.count()
    start = (page - 1) * per_page
    items = (
        list(decorate(queryset, user).order_by(*order)[start : start + per_page])
        if start < total
        else []
    )
    return PaperPage(_finish(items), total, page, per_page, start + per_page < total)


def _sorted_page(
    queryset, sort: str, page: int, per_page: int, user, now=None, personal=None
) -> PaperPage:
    """The page of ``queryset`` ranked by the ranking ``sort`` at ``now`` (default: now),
    without the papers ``user`` muted (:func:`paperfeed.personal.filters.hide_for`), and with
    the papers they have seen hidden or dimmed as they chose (:func:`_seen_page`)."""
    queryset, hidden = seen.for_list(filters.hide_for(queryset, user), user)
    if sort == FOR_YOU:
        result = _personal_page(queryset, personal, page, per_page, user, now)
    else:
        result = _ranked_page(queryset, sort, page, per_page, user, now)
    return _seen_page(result, user, hidden)


def _seen_page(result: PaperPage, user, hidden: int) -> PaperPage:
    """``result`` with ``paper.dimmed`` set (:func:`paperfeed.personal.seen.dim`) and, in
    ``extra["seen_hidden"]``, how many seen papers the list left out."""
    seen.dim(result.items, user)
    result.extra["seen_hidden"] = hidden
    return result


def _ranked_page(queryset, sort: str, page: int, per_page: int, user, now=None) -> PaperPage:
    ranking = _ranking(sort)
    _check_page(page, per_page)
    now = now or timezone.now()
    if ranking.pushdown is not None:
        result = _ordered_page(queryset, ranked.sql_order(ranking.pushdown), page, per_page, user)
        for paper in result.items:
            paper.rank_score = float(ranking.score(ranked.row_of(paper, ranking), now))
        return result
    start = (page - 1) * per_page
    shown, total = ranked.page_of(queryset, ranking, now, start, start + per_page)
    items = hydrate([pid for pid, _ in shown], user)
    scores = dict(shown)
    for paper in items:
        paper.rank_score = scores[paper.arxiv_id]
    return PaperPage(items, total, page, per_page, start + per_page < total)


def _personal_page(
    queryset, personal: Personaliser | None, page: int, per_page: int, user, now=None
) -> PaperPage:
    """The page of ``queryset`` in ``personal``'s order: the newest
    :data:`~paperfeed.papers.ranked.MAX_CANDIDATES` papers with every community input, scored
    by ``personal``, ranked by the registry's ``for_you`` (its tie order for equal scores)."""
    if personal is None:
        raise ListError(NO_PROFILE)
    _check_page(page, per_page)
    now = now or timezone.now()
    rows = ranked.rows(queryset, ranked.COMMUNITY_INPUTS, newest_first=True)
    order = personal(rows, now)
    scored = [replace(row, personal=order.scores.get(row.id)) for row in rows]
    ordered = rankings.get(FOR_YOU).rank(scored, now)
    start = (page - 1) * per_page
    shown = ordered[start : start + per_page]
    items = hydrate([pid for pid, _ in shown], user)
    scores = dict(shown)
    for paper in items:
        paper.rank_score = scores[paper.arxiv_id]
        paper.for_you_why = list(order.why.get(paper.arxiv_id, ()))
    return PaperPage(items, len(ordered), page, per_page, start + per_page < len(ordered))


# -- days, weeks, months --------------------------------------------------------------------
def days_between(start: dt.date, end: dt.date) -> PaperQuerySet:
    return Paper.objects.visible().filter(feed_day__gte=start, feed_day__lte=end)


def day_feed(
    day: dt.date,
    *,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    per_page: int = 50,
    user=None,
    has_code: bool = False,
    personal: Personaliser | None = None,
) -> PaperPage:
    """Papers whose feed day is ``day`` (``personal``: for ``sort="for_you"``)."""
    papers = _with_code(days_between(day, day), has_code)
    result = _sorted_page(papers, sort, page, per_page, user, _end_of(day), personal)
    result.extra.update(start=day, end=day)
    return result


def week_bounds(iso_year: int, iso_week: int) -> tuple[dt.date, dt.date]:
    try:
        monday = dt.date.fromisocalendar(iso_year, iso_week, 1)
    except ValueError:
        raise ListError(f"no ISO week {iso_week} in {iso_year}") from None
    if monday > dt.date.max - dt.timedelta(days=6):  # 9999-W52 ends in the year 10000
        raise ListError(f"week {iso_week} of {iso_year} ends after {dt.date.max}, the last date")
    return monday, monday + dt.timedelta(days=6)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    if not 1 <= month <= 12 or not 1 <= year <= 9999:
        raise ListError(f"no month {year}-{month:02d}")
    first = dt.date(year, month, 1)
    return first, first.replace(day=calendar.monthrange(year, month)[1])


def week_feed(
    iso_year: int,
    iso_week: int,
    *,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    per_page: int = 50,
    user=None,
    has_code: bool = False,
    personal: Personaliser | None = None,
) -> PaperPage:
    """Papers whose feed day falls in ISO week ``iso_week`` of ``iso_year`` (Monday to Sunday)."""
    start, end = week_bounds(iso_year, iso_week)
    papers = _with_code(days_between(start, end), has_code)
    result = _sorted_page(papers, sort, page, per_page, user, _end_of(end), personal)
    result.extra.update(start=start, end=end)
    return result


def month_feed(
    year: int,
    month: int,
    *,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    per_page: int = 50,
    user=None,
    has_code: bool = False,
    personal: Personaliser | None = None,
) -> PaperPage:
    """Papers whose feed day falls in ``year``-``month``."""
    start, end = month_bounds(year, month)
    papers = _with_code(days_between(start, end), has_code)
    result = _sorted_page(papers, sort, page, per_page, user, _end_of(end), personal)
    result.extra.update(start=start, end=end)
    return result


def _end_of(day: dt.date) -> dt.datetime:
    """The trending clock for a past period: the end of its last day (or now, if sooner)."""
    now = timezone.now()
    if day >= now.date():  # today or later: now (and no "next day" after 9999-12-31)
        return now
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def latest_day(on_or_before: dt.date | None = None) -> dt.date | None:
    """The latest feed day that has visible papers (on or before a day, if given)."""
    qs = Paper.objects.visible().filter(feed_day__isnull=False)
    if on_or_before is not None:
        qs = qs.filter(feed_day__lte=on_or_before)
    return qs.order_by("-feed_day").values_list("feed_day", flat=True).first()


def neighbours(start: dt.date, end: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The nearest feed days with papers before ``start`` and after ``end`` (one query)."""
    visible = Paper.objects.visible().order_by()
    before = visible.filter(feed_day__lt=start).order_by("-feed_day").values("feed_day")[:1]
    after = visible.filter(feed_day__gt=end).order_by("feed_day").values("feed_day")[:1]
    # two uncorrelated subqueries on any one row: one round trip; no rows means no papers at all
    row = (
        Paper.objects.order_by()
        .annotate(before=Subquery(before), after=Subquery(after))
        .values_list("before", "after")[:1]
    )
    return next(iter(row), (None, None))


def trending(
    now: dt.datetime | None = None,
    *,
    sort: str = TRENDING_SORTS[0],
    page: int = 1,
    per_page: int = 50,
    user=None,
    window_days: int = gravity.WINDOW_DAYS,
    has_code: bool = False,
) -> PaperPage:
    """Papers of the last ``window_days`` days ranked by ``sort``, one of :data:`TRENDING_SORTS`.

    When no paper entered the feed in the window (a store that has not been fed for a while),
    the window ends at the latest feed day instead, and ``note`` says so.
    """
    if sort not in TRENDING_SORTS:
        raise ListError(f"sort must be one of {', '.join(TRENDING_SORTS)}, not {sort!r}")
    now = now or timezone.now()
    note = ""
    start = gravity.window_start(now, window_days)
    latest = latest_day(now.date())
    if latest is not None and latest < start:
        now = dt.datetime.combine(latest + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        start = gravity.window_start(now, window_days)
        note = f"No papers in the last {window_days} days: trending as of {latest.isoformat()}."
    papers = _with_code(days_between(start, now.date()), has_code)
    result = _sorted_page(papers, sort, page, per_page, user, now)
    result.note = note
    result.extra.update(start=start, end=now.date(), now=now)
    return result


# -- authors, categories, users -------------------------------------------------------------
def author_papers(
    author_id: int,
    *,
    sort: str = "newest",
    page: int = 1,
    per_page: int = 50,
    user=None,
    has_code: bool = False,
) -> PaperPage:
    """Papers by the author ``author_id``."""
    qs = Paper.objects.visible().filter(authorships__author_id=author_id)
    return _sorted_page(_with_code(qs, has_code), sort, page, per_page, user)


def category_papers(
    category: str,
    *,
    sort: str = "newest",
    page: int = 1,
    per_page: int = 50,
    user=None,
    has_code: bool = False,
) -> PaperPage:
    """Papers listed in ``category`` (primary or cross-list; ``cs`` means every ``cs.*``)."""
    qs = _with_code(Paper.objects.visible().in_category(category), has_code)
    return _sorted_page(qs, sort, page, per_page, user)


def _user(user_or_username):
    if isinstance(user_or_username, str):
        model = get_user_model()
        try:
            return model.objects.get(**{model.USERNAME_FIELD: user_or_username})
        except model.DoesNotExist:
            raise ListError(f"no user called {user_or_username!r}") from None
    return user_or_username


def submitted_by(
    user_or_username, *, page: int = 1, per_page: int = 50, user=None, has_code: bool = False
) -> PaperPage:
    """Papers submitted by a user, latest submission first."""
    owner = _user(user_or_username)
    _check_page(page, per_page)
    qs = _with_code(Paper.objects.visible().filter(submission__user=owner), has_code)
    return _ordered_page(qs, ("-submission__created", "-arxiv_id"), page, per_page, user)


def upvoted_by(
    user_or_username, *, page: int = 1, per_page: int = 50, user=None, has_code: bool = False
) -> PaperPage:
    """Papers a user upvoted, latest vote first."""
    owner = _user(user_or_username)
    _check_page(page, per_page)
    votes = Vote.objects.filter(user=owner, paper=OuterRef("pk")).values("created")[:1]
    qs = Paper.objects.visible().filter(Q(votes__user=owner)).annotate(voted_at=Subquery(votes))
    qs = _with_code(qs, has_code)
    return _ordered_page(qs, ("-voted_at", "-arxiv_id"), page, per_page, user)

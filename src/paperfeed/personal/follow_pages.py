"""What the follow pages show: a follow's papers a page at a time, an organisation's papers,
and the authors a name may mean (the chooser that comes before following an author).

Pages are :class:`~paperfeed.papers.lists.PaperPage` objects like every list's, their cards
hydrated by :func:`paperfeed.papers.lists.hydrate` and the user's muted papers left out
(:func:`paperfeed.personal.filters.hide_for`): the user's mutes, a count, a page of ids, the
papers and their authors -- five queries whatever the page length.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F

from paperfeed.papers import lists
from paperfeed.papers.models import Author, Authorship, Paper
from paperfeed.personal import filters, follows
from paperfeed.personal.models import Follow

MAX_CANDIDATES = 20
"""Authors the chooser lists for one name (the most prolific first)."""
LATEST = 3
COAUTHORS = 5
COAUTHOR_PAPERS = 200
"""Latest papers of a candidate whose co-authors are counted."""
CATEGORIES = 3


def page_of(papers, *, user=None, page: int = 1, per_page: int = 50) -> lists.PaperPage:
    """One page of ``papers`` (an ordered queryset) without ``user``'s muted papers."""
    if not isinstance(page, int) or page < 1:
        raise lists.ListError(f"page must be a whole number >= 1, not {page!r}")
    if not isinstance(per_page, int) or not 1 <= per_page <= lists.MAX_PER_PAGE:
        raise lists.ListError(
            f"per_page must be between 1 and {lists.MAX_PER_PAGE}, not {per_page!r}"
        )
    papers = filters.hide_for(papers, user)
    total = papers.count()
    start = (page - 1) * per_page
    ids = (
        list(papers.values_list("pk", flat=True)[start : start + per_page]) if start < total else []
    )
    return lists.PaperPage(
        lists.hydrate(ids, user), total, page, per_page, start + per_page < total
    )


def follow_papers(follow: Follow, **kw) -> lists.PaperPage:
    """A page of the papers ``follow`` matches, newest first (:func:`follows.papers_of`)."""
    return page_of(follows.papers_of(follow), **kw)


# -- organisations --------------------------------------------------------------------------
@dataclass(frozen=True)
class Organisation:
    name: str
    """Its Hugging Face name (``PaperSignals.org_name``), the URL's and the follow's value."""
    fullname: str
    avatar: str


def organisation(name: str) -> Organisation | None:
    """The organisation called ``name`` on Hugging Face if some visible paper names it."""
    from paperfeed.signals.models import PaperSignals

    row = (
        PaperSignals.objects.filter(org_name=name, paper__deleted=False, paper__hidden=False)
        .order_by("-hf_fetched_at")
        .values_list("org_name", "org_fullname", "org_avatar")
        .first()
    )
    return None if row is None else Organisation(row[0], row[1] or row[0], row[2])


def org_papers(name: str, **kw) -> lists.PaperPage:
    """A page of the organisation's papers, newest first."""
    papers = Paper.objects.visible().filter(signals__org_name=name)
    return page_of(papers.order_by(*follows.NEWEST), **kw)


# -- the author chooser ---------------------------------------------------------------------
@dataclass
class Candidate:
    """An author a name may mean, with what tells people apart."""

    author: Author
    papers: int = 0
    categories: list[str] = field(default_factory=list)
    latest: list[Paper] = field(default_factory=list)
    coauthors: list[Author] = field(default_factory=list)


_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)


def name_key(name: str) -> tuple[str, str]:
    """(surname, first initial) of a name, lower-cased; ("", "") when it has no letters.

    >>> name_key("Ada  Lovelace"), name_key("A. Lovelace"), name_key("lovelace")
    (('lovelace', 'a'), ('lovelace', 'a'), ('lovelace', ''))
    """
    words = _WORD.findall(name)
    if not words:
        return "", ""
    surname = words[-1].lower()
    return surname, (words[0][0].lower() if len(words) > 1 else "")


def candidates(name: str) -> list[Candidate]:
    """The authors ``name`` may mean: the same surname and, when ``name`` has one, the same
    first initial ("A. Lovelace" and "Ada Lovelace" are both candidates for either), the
    most prolific first, each with paper count, main categories, latest papers and most
    frequent co-authors. Five queries for the lot."""
    surname, initial = name_key(name)
    if not surname:
        return []
    rows = Author.objects.filter(name__iendswith=surname).order_by()[:2000]
    found = [a for a in rows if name_key(a.name)[0] == surname]
    if initial:
        found = [a for a in found if name_key(a.name)[1] in (initial, "")]
    if not found:
        return []
    ids = [a.pk for a in found]
    visible = {"paper__deleted": False, "paper__hidden": False}
    counts = dict(
        Authorship.objects.filter(author_id__in=ids, **visible)
        .values_list("author_id")
        .annotate(n=Count("paper_id", distinct=True))
        .order_by()
    )
    found.sort(key=lambda a: (-counts.get(a.pk, 0), a.name))
    chosen = {a.pk: Candidate(a, counts.get(a.pk, 0)) for a in found[:MAX_CANDIDATES]}
    wanted = list(chosen)
    categories: dict[int, Counter] = defaultdict(Counter)
    papers_of: dict[int, list[str]] = defaultdict(list)
    rows = (
        Authorship.objects.filter(author_id__in=wanted, **visible)
        .order_by(F("paper__feed_day").desc(nulls_last=True), "-paper_id")
        .values_list("author_id", "paper_id", "paper__primary_category")
    )
    for author_id, paper_id, primary in rows:
        if primary:
            categories[author_id][primary] += 1
        if len(papers_of[author_id]) < COAUTHOR_PAPERS:
            papers_of[author_id].append(paper_id)
    shared: dict[str, list[tuple[int, str]]] = defaultdict(list)
    every = {pid for ids_ in papers_of.values() for pid in ids_}
    for paper_id, author_id, name in Authorship.objects.filter(paper_id__in=every).values_list(
        "paper_id", "author_id", "author__name"
    ):
        shared[paper_id].append((author_id, name))
    latest = [pid for ids_ in papers_of.values() for pid in ids_[:LATEST]]
    titles = Paper.objects.in_bulk(latest)
    for author_id, candidate in chosen.items():
        mine = papers_of[author_id]
        partners = Counter(
            (pid, name) for paper in mine for pid, name in shared[paper] if pid != author_id
        )
        ranked = sorted(partners.items(), key=lambda item: (-item[1], item[0][1]))
        candidate.coauthors = [Author(pk=pk, name=name) for (pk, name), _ in ranked[:COAUTHORS]]
        candidate.categories = [c for c, _ in categories[author_id].most_common(CATEGORIES)]
        candidate.latest = [titles[pid] for pid in mine[:LATEST] if pid in titles]
    return list(chosen.values())

"""The paper page: abstract, authors, categories, every link (arXiv, PDF, DOI, code and
Hugging Face artifacts, project page, Hugging Face and Semantic Scholar pages), the labelled
machine summaries, arXiv versions and dates, BibTeX, votes, comments, similar papers."""

from __future__ import annotations

import logging
import re

from django.shortcuts import redirect, render
from django.urls import reverse

from paperfeed.community.comments import for_paper
from paperfeed.library import bibtex
from paperfeed.papers import lists
from paperfeed.papers.ids import InvalidArxivId, abs_url, parse_arxiv_id
from paperfeed.papers.models import Paper
from paperfeed.personal import seen
from paperfeed.search import more_like
from paperfeed.signals import display
from paperfeed.signals.models import Repository, StarSnapshot

log = logging.getLogger(__name__)
SIMILAR_COUNT = 8
SIMILAR_SORTS = [("relevance", "Most similar"), ("recency", "Newest")]


def not_found(request, message: str):
    return render(
        request, "web/not_found.html", {"title": "Paper not found", "message": message}, status=404
    )


def similar_papers(paper_id: str, sort: str = "relevance") -> list[Paper]:
    """The first papers of "more like this" (:mod:`paperfeed.search.more_like`) in ``sort``
    order; empty (section hidden) when vectors are missing or broken. The whole paged list
    is /similar?paper=ID."""
    try:
        hits = more_like.like_paper(paper_id, sort=sort, limit=SIMILAR_COUNT).hits
    except Exception:  # noqa: BLE001 - a missing or broken vector index only hides the section
        log.warning("similar papers for %s unavailable", paper_id, exc_info=True)
        return []
    if not hits:
        return []
    ids = [h.id for h in hits]
    found = {
        p.arxiv_id: p
        for p in Paper.objects.visible()
        .filter(arxiv_id__in=ids)
        .only("arxiv_id", "title", "feed_day", "primary_category", "upvotes")
    }
    return [found[i] for i in ids if i in found]


def versions_of(arxiv_id: str, latest: int | None, published, updated) -> list[dict]:
    """Links to every arXiv version, with the dates that are stored: the first version's
    (``published``) and the latest's (``updated``); arXiv's listing gives no others."""
    versions = []
    for n in range(1, (latest or 0) + 1):
        date = published if n == 1 else updated if n == latest else None
        versions.append({"number": n, "url": abs_url(arxiv_id, n), "date": date})
    return versions


def repositories_of(paper: Paper) -> tuple[list[Repository], list[Repository]]:
    """The paper's code repositories and its Hugging Face artifacts (models, datasets,
    spaces), best-starred first, each with ``shown_stars``: the host's count, else the latest
    count another service reported (HF's ``githubStars`` before GitHub was asked). One query,
    two when some repository has no count from its host."""
    repos = [link.repository for link in paper.repository_links.select_related("repository")]
    unknown = [r.pk for r in repos if r.stars is None]
    reported: dict[int, int] = {}
    if unknown:  # dict() keeps the last, i.e. the latest day's, count of each repository
        reported = dict(
            StarSnapshot.objects.filter(repository_id__in=unknown)
            .order_by("repository_id", "day")
            .values_list("repository_id", "stars")
        )
    for repo in repos:
        repo.shown_stars = repo.stars if repo.stars is not None else reported.get(repo.pk)
    repos.sort(key=lambda r: (r.status == Repository.GONE, -(r.shown_stars or 0), r.name.lower()))
    hf_kinds = {Repository.HF_MODEL, Repository.HF_DATASET, Repository.HF_SPACE}
    return [r for r in repos if r.kind not in hf_kinds], [r for r in repos if r.kind in hf_kinds]


def links_of(paper: Paper) -> list[dict]:
    """The paper's pages elsewhere, arXiv's first, then its code (the best-starred
    repository, as on Hugging Face's paper page); a link only where a source gave one."""
    signals = getattr(paper, "external", None)
    links = [
        {"label": "arXiv page", "url": paper.abs_url},
        {"label": "PDF", "url": paper.pdf_url},
    ]
    if signals is not None:
        if code := display.http_url(signals.code_url):
            stars = f" ★ {display.humanize(signals.stars)}" if signals.stars else ""
            links.append({"label": f"Code{stars}", "url": code})
        if project := display.http_url(signals.project_page):
            links.append({"label": "Project page", "url": project})
        if hf := display.hf_url(paper.arxiv_id, signals):
            links.append({"label": "Hugging Face", "url": hf})
        if s2 := display.s2_url(signals):
            links.append({"label": "Semantic Scholar", "url": s2})
        if pdf := display.open_access_pdf(signals.open_access_pdf):
            links.append({"label": "Open-access PDF", "url": pdf})
    if paper.doi:
        links.append({"label": f"DOI {paper.doi}", "url": f"https://doi.org/{paper.doi}"})
    return links


def _comments_page(request) -> int:
    """``?comments=N``: which page of the comments the paper page shows (1 when not a number)."""
    raw = request.GET.get("comments", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 7 else 1


def paper(request, arxiv_id: str):
    try:  # proxies may collapse the "//" of a pasted URL: /papers/https:/arxiv.org/abs/...
        parsed = parse_arxiv_id(re.sub(r"^(https?:)/+", r"\1//", arxiv_id))
    except InvalidArxivId:
        return not_found(request, f"{arxiv_id[:60]!r} is not an arXiv id.")
    if parsed.id != arxiv_id:
        return redirect(reverse("paper", args=[parsed.id]), permanent=True)
    items = lists.hydrate([parsed.id], request.user)
    if not items:
        return not_found(request, f"No paper {parsed.id} here yet.")
    item = items[0]
    seen.mark_opened(request.user, item.arxiv_id)  # read tracking, signed-in users only
    similar_sort = request.GET.get("similar", "")  # an unknown order: the default, not an error
    similar_sort = similar_sort if similar_sort in more_like.SORTS else "relevance"
    signals = item.external
    code, artifacts = repositories_of(item)
    return render(
        request,
        "web/paper.html",
        {
            "title": item.title,
            "paper": item,
            "comments": for_paper(item.arxiv_id, _comments_page(request)),
            "similar": similar_papers(item.arxiv_id, similar_sort),
            "similar_sort": similar_sort,
            "similar_sorts": SIMILAR_SORTS,
            "versions": versions_of(item.arxiv_id, item.version, item.published, item.updated),
            "links": links_of(item),
            "signals": signals,
            "summaries": display.summary_lines(signals),
            "venue": display.venue_text(signals.venue) if signals is not None else "",
            "org_url": display.org_url(signals),
            "org_avatar": display.http_url(signals.org_avatar) if signals is not None else "",
            "repositories": code + artifacts,
            "artifacts": artifacts,
            "bibtex": bibtex.of_paper(item),
        },
    )

"""The paper page: abstract, authors, categories, links, votes, comments, similar papers."""

from __future__ import annotations

import logging
import re

from django.shortcuts import redirect, render
from django.urls import reverse

from paperfeed.community.comments import for_paper
from paperfeed.papers import lists
from paperfeed.papers.ids import InvalidArxivId, abs_url, parse_arxiv_id
from paperfeed.papers.models import Paper
from paperfeed.search import hybrid

log = logging.getLogger(__name__)
SIMILAR_COUNT = 8


def not_found(request, message: str):
    return render(
        request, "web/not_found.html", {"title": "Paper not found", "message": message}, status=404
    )


def similar_papers(paper_id: str) -> list[Paper]:
    """Nearest papers by meaning; empty (section hidden) when vectors are missing or broken."""
    try:
        hits = hybrid.similar(paper_id, SIMILAR_COUNT).hits
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
    versions = [
        {"number": n, "url": abs_url(item.arxiv_id, n)} for n in range(1, (item.version or 0) + 1)
    ]
    return render(
        request,
        "web/paper.html",
        {
            "title": item.title,
            "paper": item,
            "comments": for_paper(item.arxiv_id),
            "similar": similar_papers(item.arxiv_id),
            "versions": versions,
            "doi_url": f"https://doi.org/{item.doi}" if item.doi else "",
        },
    )

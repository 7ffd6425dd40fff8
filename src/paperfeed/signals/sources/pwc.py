"""Papers with Code (Hugging Face's relaunch, ``paperswithcode.co/api/v1``): code repositories
with their stars, and project pages (``paperfeed fetch pwc``).

Two ways to ask, both with ``include_resources=true`` (the repositories and project pages):

- by default, the trending list, ``GET papers/?order_by=trending&order_dir=desc&latest_only=true
  &page=N&page_size=...``, page by page up to ``--limit`` papers (default
  :data:`DEFAULT_PAPERS`): the papers whose code is moving now, a few requests a day;
- with ``--id``, ``GET papers/{arxiv_id}`` for each paper named (404: PwC does not know it).

Why not every stored paper in turn: PwC says it is "not a bulk export service" (60 list and
120 catalogue requests a minute), 75,000 single-paper requests would take a day, and the store
has no per-paper PwC fetch time to order them by. GitHub (``fetch github``) refreshes the stars
of every linked repository anyway; PwC adds the links the arXiv text lacks.

What is stored: official repositories (``is_official`` not false: a third-party
reimplementation is not the paper's code) linked with source ``pwc``, their ``num_stars`` as
today's snapshot reported by PwC (GitHub's own count of the day wins), and the first project
page where the paper has none. Papers not stored are skipped (counted ``not_stored``); PwC's
``hf_models``/``hf_datasets``/``hf_spaces`` are not read (their item shape is undocumented).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable

from django.conf import settings

from paperfeed.papers.ids import InvalidArxivId, parse_arxiv_id
from paperfeed.papers.models import Paper
from paperfeed.signals import code, fetching, links, store
from paperfeed.signals.http import JsonClient, SourceFailed
from paperfeed.signals.models import PaperRepository

NAME = "pwc"
SOURCE = PaperRepository.PWC
DEFAULT_PAPERS = 100
PAGE_SIZE = 50
TRENDING = {
    "order_by": "trending",
    "order_dir": "desc",
    "latest_only": "true",
    "include_resources": "true",
}

pause: Callable[[float], None] = time.sleep
"""How the client waits (pacing, backoff); tests replace it."""


def resources(item: dict) -> tuple[list[links.Link], dict[links.Link, int], str]:
    """``(repositories, {repository: stars}, project page)`` of one PwC paper object.

    >>> resources({"repositories": [
    ...     {"url": "https://github.com/MiniMax-AI/MSA", "num_stars": 145, "is_official": True},
    ...     {"url": "https://github.com/someone/msa-reimpl", "is_official": False}],
    ...     "project_pages": [{"url": "https://x.github.io/msa/"}]})
    ([('github', 'MiniMax-AI/MSA')], {('github', 'MiniMax-AI/MSA'): 145}, 'https://x.github.io/msa/')
    """
    found: list[links.Link] = []
    stars: dict[links.Link, int] = {}
    for repo in _dicts(item.get("repositories")):
        if repo.get("is_official") is False:
            continue
        link = links.repository_of(str(repo.get("url") or ""))
        if link is None and repo.get("owner") and repo.get("name"):
            link = links.GITHUB, f"{repo['owner']}/{repo['name']}"
        if link is None or link in found:
            continue
        found.append(link)
        count = repo.get("num_stars")
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            stars[link] = count
    page = ""
    for entry in _dicts(item.get("project_pages")):
        url = str(entry.get("url") or "").strip()
        if entry.get("is_official") is not False and url.startswith(("http://", "https://")):
            page = url if len(url) <= links.MAX_PAGE_LENGTH else ""
            break
    return found, stars, page


def _dicts(value: object) -> Iterable[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def store_papers(items: list[dict], day: dt.date) -> dict[str, int]:
    """Link and snapshot what PwC says of these papers (see the module doc); returns counts."""
    found: dict[str, list[links.Link]] = {}
    reported: dict[links.Link, int] = {}
    pages: dict[str, str] = {}
    ids = []
    for item in items:
        try:
            paper_id = parse_arxiv_id(str(item.get("arxiv_id") or "")).id
        except InvalidArxivId:
            continue
        ids.append(paper_id)
        repos, stars, page = resources(item)
        if repos:
            found[paper_id] = repos
        reported.update(stars)
        if page:
            pages[paper_id] = page
    known = set(Paper.objects.filter(pk__in=ids).values_list("pk", flat=True))
    counts = {"papers": len(items), "not_stored": len(set(ids) - known)}
    counts["no_arxiv_id"] = len(items) - len(ids)
    linked = store.link_repositories({p: r for p, r in found.items() if p in known}, SOURCE)
    counts["new_links"] = linked["new_links"]
    counts["star_snapshots"] = store.reported_stars(reported, day, SOURCE)
    counts["project_pages"] = code.set_project_pages({p: u for p, u in pages.items() if p in known})
    return counts


def _papers_of(data: object, url: str) -> tuple[list[dict], bool]:
    """The paper objects of a list reply and whether another page follows."""
    if not isinstance(data, dict):
        raise SourceFailed(NAME, url, f"expected a list object, got {type(data).__name__}")
    results = data.get("results", data.get("items"))
    if not isinstance(results, list):
        raise SourceFailed(NAME, url, "the list object has no results (nor items) list")
    papers = [r for r in results if isinstance(r, dict)]
    more = bool(data["next_page"]) if "next_page" in data else len(results) >= PAGE_SIZE
    return papers, more and bool(results)


def fetch(
    options: fetching.Options,
    report: fetching.Report,
    *,
    notify: fetching.Notify,
    progress: fetching.ProgressBar,
) -> None:
    base_url = fetching.base_url(NAME, options)
    day = options.today or dt.datetime.now(dt.UTC).date()
    client = JsonClient(
        NAME,
        base_url,
        delay=settings.PAPERFEED_SIGNALS_DELAY,
        sleep=pause,
        notify=notify,
    )
    try:
        if options.ids:
            _by_id(client, options.ids, day, report, progress)
        else:
            _trending(client, options.limit or DEFAULT_PAPERS, day, report, progress)
    finally:
        report.requests = client.requests
        client.close()


def _trending(client, limit: int, day: dt.date, report, progress) -> None:
    size = min(limit, PAGE_SIZE)
    page, done = 1, 0
    with progress("pwc trending papers", total=limit, unit="papers") as advance:
        while done < limit:
            params = {**TRENDING, "page": str(page), "page_size": str(size)}
            reply = client.get("papers/", params)
            if reply.status in (404, 410):
                raise SourceFailed(NAME, client.url("papers/"), f"HTTP {reply.status}: no list")
            papers, more = _papers_of(reply.data, client.url("papers/"))
            papers = papers[: limit - done]
            report.add(pages=1, **store_papers(papers, day))
            report.requests = client.requests
            done += len(papers)
            advance(len(papers))
            if not more or not papers:
                return
            page += 1


def _by_id(client, raw_ids: list[str], day: dt.date, report, progress) -> None:
    unknown = []
    with progress("pwc papers", total=len(raw_ids), unit="papers") as advance:
        for text in raw_ids:
            try:
                paper_id = parse_arxiv_id(text).id
            except InvalidArxivId:
                paper_id = text.strip()
            reply = client.get(f"papers/{paper_id}", {"include_resources": "true"})
            report.requests = client.requests
            if reply.status in (404, 410):
                unknown.append(paper_id)
            else:
                item = reply.data
                if not isinstance(item, dict):
                    raise SourceFailed(
                        NAME, client.url(f"papers/{paper_id}"), "expected a paper object"
                    )
                report.add(**store_papers([item], day))
            advance(1)
    if unknown:
        report.add(not_on_pwc=len(unknown))
        report.notices.append(f"pwc: not on Papers with Code: {', '.join(unknown)}")

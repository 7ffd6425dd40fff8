"""Papers linked to the code repositories and project pages their own arXiv text names.

Two ways in, one function (:func:`link_texts`) under both:

- :func:`link_from_records`: as papers are stored, inside the import batch's transaction
  (:mod:`paperfeed.signals.ingested`), so a paper and its links are stored together. It must be
  cheap: extraction is pure string work (~20 µs a paper, :mod:`paperfeed.signals.links`), and
  only papers naming something cost queries — a fixed handful per batch, whatever its size.
- :func:`backfill`: papers stored before this existed (or by a writer that does not call the
  hook) are read from the database once. ``paperfeed fetch github`` runs it first, so an
  existing install gets its code links from the first fetch. Its watermark is the time the
  last scan started, kept in the ``github`` source's cursor; each run reads only the papers
  whose ``updated_at`` is newer (a fresh install: all of them, ~5 s for 75k papers; after that
  a few). A scan killed midway keeps what it stored and starts over next run: linking is
  idempotent.

Links are added, never removed: a repository once named stays linked (a new version of an
abstract rarely drops its code link, and HF or PwC may name it too). The project page is set
only where no source set one (an HF ``projectPage`` is the authors' own choice; it wins).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence

from django.utils import timezone

from paperfeed.ingest.records import PaperRecord
from paperfeed.papers.models import Paper
from paperfeed.signals import links, state, store
from paperfeed.signals.models import PaperRepository, PaperSignals

SOURCE = PaperRepository.ARXIV
CURSOR_SOURCE, CURSOR_KEY = "github", "text_scanned_at"
"""Where :func:`backfill` keeps the start of its last complete scan."""
SCAN_CHUNK = 2000


def link_texts(texts: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """Link each paper (``{arxiv_id: [its texts]}``) to the repositories its texts name, and
    give it the project page they name unless it has one. Papers not stored are skipped.
    Returns counts: ``papers_linked`` (papers naming code), ``new_links``,
    ``new_repositories``, ``project_pages`` (set now)."""
    found: dict[str, list[links.Link]] = {}
    pages: dict[str, str] = {}
    for paper_id, parts in texts.items():
        for text in parts:
            code, page = links.scan(text)
            if code:
                found.setdefault(paper_id, []).extend(code)
            if page and paper_id not in pages:
                pages[paper_id] = page
    counts = {"papers_linked": len(found), "new_links": 0, "new_repositories": 0}
    if found:
        counts.update(store.link_repositories(found, SOURCE))
    counts["project_pages"] = set_project_pages(pages)
    return counts


def set_project_pages(pages: Mapping[str, str]) -> int:
    """Give each paper (``{arxiv_id: url}``) this project page unless it has one already;
    returns how many were set."""
    if not pages:
        return 0
    taken = set(
        PaperSignals.objects.filter(paper_id__in=list(pages))
        .exclude(project_page="")
        .values_list("paper_id", flat=True)
    )
    wanted = {pid: {"project_page": url} for pid, url in pages.items() if pid not in taken}
    if not wanted:
        return 0
    done = store.save_signals(wanted)
    return done["new"] + done["changed"]


def link_from_records(records: Sequence[PaperRecord]) -> dict[str, int]:
    """:func:`link_texts` over the abstract and comments of just-stored records (a paper met
    twice in a batch: the links of both). Withdrawal notices carry no text worth reading."""
    texts: dict[str, list[str]] = {}
    for record in records:
        if not record.deleted:
            texts.setdefault(record.arxiv_id, []).extend((record.abstract_raw, record.comment))
    return link_texts(texts)


def backfill(
    advance: Callable[[int], None] | None = None, *, chunk: int = SCAN_CHUNK
) -> dict[str, int]:
    """Scan the papers changed since the last scan (all of them the first time) and link
    what their text names (see the module doc). Returns :func:`link_texts`' counts plus
    ``papers_scanned``."""
    started = timezone.now()
    since = _watermark()
    papers = Paper.objects.filter(deleted=False)
    if since is not None:
        papers = papers.filter(updated_at__gte=since)
    totals = {"papers_scanned": 0}
    last = ""
    while True:
        rows = list(
            papers.filter(arxiv_id__gt=last)
            .order_by("arxiv_id")
            .values_list("arxiv_id", "abstract_raw", "comment")[:chunk]
        )
        if not rows:
            break
        counts = link_texts({pid: (abstract, comment) for pid, abstract, comment in rows})
        counts["papers_scanned"] = len(rows)
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
        last = rows[-1][0]
        if advance:
            advance(len(rows))
    cursor = state.cursor(CURSOR_SOURCE)
    state.save_cursor(CURSOR_SOURCE, {**cursor, CURSOR_KEY: started.isoformat()})
    return totals


def _watermark() -> dt.datetime | None:
    value = state.cursor(CURSOR_SOURCE).get(CURSOR_KEY)
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None  # a cursor we cannot read: scan everything again (idempotent)

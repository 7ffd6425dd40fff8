"""The one writer of the signal tables (:mod:`paperfeed.signals.models`).

Sources call these functions with what a service said; each is idempotent (running a fetch
twice changes nothing the second time) and transactional per call, so a killed fetch loses at
most the batch it was storing, which the next run fetches again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import Max

from paperfeed.ops import pagecache
from paperfeed.papers.models import Paper
from paperfeed.signals.models import PaperRepository, PaperSignals, Repository, StarSnapshot

GAIN_DAYS = 7
"""The window of "stars gained this week"."""
SIGNAL_FIELDS = frozenset(
    f.name for f in PaperSignals._meta.concrete_fields if f.name not in {"paper"}
) - {"has_code", "stars", "stars_gained_week"}
"""The fields sources set; the star figures are derived by :func:`refresh_code`."""


def repository_key(kind: str, name: str) -> str:
    """``kind:owner/name`` in lower case: hosts match names without regard to case.

    >>> repository_key("github", "MiniMax-AI/MSA")
    'github:minimax-ai/msa'
    """
    return f"{kind}:{name.strip().strip('/')}".lower()


def stars_gained(snapshots: Iterable[tuple[dt.date, int]], days: int = GAIN_DAYS) -> int | None:
    """Stars gained in the ``days`` days up to the latest snapshot: latest minus the last
    snapshot at least ``days`` days older, else minus the oldest one (a shorter history says
    what it can); None with fewer than two snapshots.

    >>> d = dt.date(2026, 6, 12)
    >>> stars_gained([(d - dt.timedelta(days=9), 100), (d - dt.timedelta(days=7), 120), (d, 251)])
    131
    >>> stars_gained([(d - dt.timedelta(days=1), 145), (d, 251)])
    106
    >>> stars_gained([(d, 251)]) is None
    True
    """
    ordered = sorted(snapshots)
    if len(ordered) < 2:
        return None
    latest_day, latest = ordered[-1]
    base = ordered[0][1]
    for day, stars in ordered:
        if day <= latest_day - dt.timedelta(days=days):
            base = stars
    return latest - base


def _known_papers(ids: Iterable[str]) -> set[str]:
    return set(Paper.objects.filter(arxiv_id__in=list(ids)).values_list("arxiv_id", flat=True))


def save_signals(values: Mapping[str, Mapping[str, object]]) -> dict[str, int]:
    """Set the given signal fields of each paper (``{arxiv_id: {field: value}}``); fields not
    named keep their value, so one source never erases another's. Papers not stored are skipped.
    Returns counts: ``new`` rows, ``changed`` rows, ``unchanged``, ``unknown`` papers."""
    for fields in values.values():
        unknown = set(fields) - SIGNAL_FIELDS
        if unknown:
            raise ValueError(f"not signal fields: {', '.join(sorted(unknown))}")
    counts = {"new": 0, "changed": 0, "unchanged": 0, "unknown": 0}
    with transaction.atomic():
        known = _known_papers(values)
        counts["unknown"] = len(set(values) - known)
        existing = PaperSignals.objects.in_bulk([i for i in values if i in known])
        create, update, touched = [], [], set()
        for paper_id, fields in values.items():
            if paper_id not in known:
                continue
            row = existing.get(paper_id)
            if row is None:
                create.append(PaperSignals(paper_id=paper_id, **fields))
                continue
            diff = {k: v for k, v in fields.items() if getattr(row, k) != v}
            if not diff:
                counts["unchanged"] += 1
                continue
            for key, value in diff.items():
                setattr(row, key, value)
            update.append(row)
            touched.update(diff)
        PaperSignals.objects.bulk_create(create, batch_size=500)
        if update:
            PaperSignals.objects.bulk_update(update, sorted(touched), batch_size=500)
        counts["new"], counts["changed"] = len(create), len(update)
        if create or update:
            pagecache.changed("signals refreshed")
    return counts


def link_repositories(
    links: Mapping[str, Iterable[tuple[str, str]]], source: str
) -> dict[str, int]:
    """Link each paper to its repositories (``{arxiv_id: [(kind, "owner/name"), ...]}``),
    creating repositories not seen yet. A link that exists keeps its first source. Papers not
    stored are skipped. Returns counts of ``new_links`` and ``new_repositories``."""
    wanted = {pid: list(dict.fromkeys(refs)) for pid, refs in links.items()}
    with transaction.atomic():
        known = _known_papers(wanted)
        names = {repository_key(k, n): (k, n) for pid in known for k, n in wanted[pid]}
        found = {r.key: r for r in Repository.objects.filter(key__in=list(names))}
        new_repos = [
            Repository(kind=kind, name=name, key=key)
            for key, (kind, name) in names.items()
            if key not in found
        ]
        Repository.objects.bulk_create(new_repos, batch_size=500, ignore_conflicts=True)
        found = {r.key: r for r in Repository.objects.filter(key__in=list(names))}
        existing = set(
            PaperRepository.objects.filter(paper_id__in=known).values_list(
                "paper_id", "repository_id"
            )
        )
        new_links = []
        for pid in known:
            for kind, name in wanted[pid]:
                repo = found[repository_key(kind, name)]
                if (pid, repo.pk) not in existing:
                    existing.add((pid, repo.pk))
                    new_links.append(PaperRepository(paper_id=pid, repository=repo, source=source))
        PaperRepository.objects.bulk_create(new_links, batch_size=500, ignore_conflicts=True)
        refresh_code({link.paper_id for link in new_links})
        if new_links:
            pagecache.changed("repositories linked")
    return {"new_links": len(new_links), "new_repositories": len(new_repos)}


def record_stars(repository: Repository, stars: int, day: dt.date, source: str) -> bool:
    """Keep ``stars`` as the repository's snapshot of ``day`` (GitHub's own count wins over
    what HF or PwC reported that day); True when something changed."""
    snap = StarSnapshot.objects.filter(repository=repository, day=day).first()
    if snap is not None:
        if snap.stars == stars or (snap.source == "github" and source != "github"):
            return False
        snap.stars, snap.source = stars, source
        snap.save(update_fields=["stars", "source"])
        return True
    StarSnapshot.objects.create(repository=repository, day=day, stars=stars, source=source)
    return True


def update_repository(repository: Repository, day: dt.date, **fields) -> bool:
    """Store what the host said of ``repository`` (``stars`` also becomes the snapshot of
    ``day``) and refresh the star figures of its papers; True when something changed."""
    with transaction.atomic():
        diff = {k: v for k, v in fields.items() if getattr(repository, k) != v}
        for key, value in diff.items():
            setattr(repository, key, value)
        if diff:
            repository.save(update_fields=sorted(diff))
        snap = False
        if fields.get("stars") is not None:
            snap = record_stars(repository, fields["stars"], day, "github")
        if diff or snap:
            refresh_code(set(repository.paper_links.values_list("paper_id", flat=True)))
    return bool(diff or snap)


def reported_stars(reports: Mapping[tuple[str, str], int], day: dt.date, source: str) -> int:
    """Snapshots from a service that reports stars beside papers (HF ``githubStars``, PwC
    ``num_stars``), keyed ``(kind, name)``; unknown repositories are skipped. Returns the
    number of snapshots changed."""
    changed = 0
    with transaction.atomic():
        keys = {repository_key(k, n): stars for (k, n), stars in reports.items()}
        repos = Repository.objects.filter(key__in=list(keys))
        papers = set()
        for repo in repos:
            if record_stars(repo, keys[repo.key], day, source):
                changed += 1
                papers.update(repo.paper_links.values_list("paper_id", flat=True))
        refresh_code(papers)
    return changed


def refresh_code(paper_ids: Iterable[str]) -> None:
    """Recompute ``has_code``, ``code_url``, ``stars`` and ``stars_gained_week`` of these papers
    from their repositories and snapshots (the best-starred repository that is not gone speaks
    for a paper, else the first linked; an HF artifact counts as code too)."""
    ids = list(set(paper_ids))
    if not ids:
        return
    links = (
        PaperRepository.objects.filter(paper_id__in=ids)
        .exclude(repository__status=Repository.GONE)
        .select_related("repository")
        .order_by("pk")
    )
    repos_of: dict[str, list[int]] = {}
    url_of: dict[int, str] = {}
    for link in links:
        repos_of.setdefault(link.paper_id, []).append(link.repository_id)
        url_of[link.repository_id] = link.repository.url
    repo_ids = {rid for rids in repos_of.values() for rid in rids}
    history: dict[int, list[tuple[dt.date, int]]] = {}
    for rid, day, stars in StarSnapshot.objects.filter(repository_id__in=repo_ids).values_list(
        "repository_id", "day", "stars"
    ):
        history.setdefault(rid, []).append((day, stars))
    latest = {rid: max(snaps)[1] for rid, snaps in history.items()}
    values = {}
    for pid in ids:
        rids = repos_of.get(pid, [])
        starred = [rid for rid in rids if rid in latest]
        best = max(starred, key=lambda rid: (latest[rid], -rid), default=None)
        shown = best if best is not None else (rids[0] if rids else None)
        values[pid] = {
            "has_code": bool(rids),
            "code_url": url_of[shown] if shown is not None else "",
            "stars": latest[best] if best is not None else None,
            "stars_gained_week": stars_gained(history[best]) if best is not None else None,
        }
    _save_derived(values)


def _save_derived(values: dict[str, dict]) -> None:
    existing = PaperSignals.objects.in_bulk(list(values))
    create, update = [], []
    for pid, fields in values.items():
        row = existing.get(pid)
        if row is None:
            if fields["has_code"]:
                create.append(PaperSignals(paper_id=pid, **fields))
            continue
        if any(getattr(row, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(row, key, value)
            update.append(row)
    PaperSignals.objects.bulk_create(create, batch_size=500, ignore_conflicts=True)
    PaperSignals.objects.bulk_update(
        update, ["has_code", "code_url", "stars", "stars_gained_week"], batch_size=500
    )
    if create or update:
        pagecache.changed("code signals refreshed")


def latest_snapshot_day() -> dt.date | None:
    return StarSnapshot.objects.aggregate(day=Max("day"))["day"]

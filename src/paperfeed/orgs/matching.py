"""Which papers are an organisation's, for its page, the follows and the cards' badges.

A local organisation's papers are those its members attached (``OrgPaper``) and, once a
moderator approved its claim, those whose Hugging Face signals name its ``hf_name``. A follow of
kind organisation stores a name: a local organisation's slug or a Hugging Face name; either
matches the papers of the same organisation under its other name too.
"""

from __future__ import annotations

from django.db.models import Q

from paperfeed.orgs.models import Organisation, OrgPaper


def _approved():
    return Organisation.objects.filter(hf_status=Organisation.APPROVED, hf_name__isnull=False)


def papers_q(org: Organisation) -> Q:
    """The condition "is one of ``org``'s papers" on :class:`~paperfeed.papers.models.Paper`."""
    condition = Q(pk__in=OrgPaper.objects.filter(org=org).values("paper_id"))
    if org.claimed_hf:
        condition |= Q(signals__org_name=org.claimed_hf)
    return condition


def follow_q(name: str) -> Q:
    """The papers an organisation follow of ``name`` matches: Hugging Face's ``name``, the
    papers attached to the local organisation of that slug or of that approved claim, and the
    Hugging Face papers of the local organisation's approved claim."""
    return (
        Q(signals__org_name=name)
        | Q(pk__in=OrgPaper.objects.filter(Q(org__slug=name) | _claim_of(name)).values("paper_id"))
        | Q(signals__org_name__in=_approved().filter(slug=name).values("hf_name"))
    )


def _claim_of(name: str) -> Q:
    return Q(org__hf_name=name, org__hf_status=Organisation.APPROVED)


def names_of(hf_names: dict[str, str]) -> dict[str, set[str]]:
    """For each paper id of ``hf_names`` (paper id -> its Hugging Face organisation or ""),
    every name an organisation follow may match it by (:func:`follow_q` in Python): the HF
    name, and the slug and approved HF name of each local organisation it belongs to. Two
    queries."""
    found: dict[str, set[str]] = {pid: {hf} if hf else set() for pid, hf in hf_names.items()}
    rows = OrgPaper.objects.filter(paper_id__in=list(hf_names)).values_list(
        "paper_id", "org__slug", "org__hf_name", "org__hf_status"
    )
    for pid, slug, hf, status in rows:
        found[pid].add(slug)
        if hf and status == Organisation.APPROVED:
            found[pid].add(hf)
    wanted = {hf for hf in hf_names.values() if hf}
    if wanted:
        slugs = dict(_approved().filter(hf_name__in=wanted).values_list("hf_name", "slug"))
        for pid, hf in hf_names.items():
            if hf in slugs:
                found[pid].add(slugs[hf])
    return found


def badge_orgs(hf_names: dict[str, str]) -> dict[str, Organisation]:
    """The local organisation each paper's badge shows: the first it was attached to, else the
    one whose approved claim is the paper's Hugging Face organisation (papers with neither are
    absent). Two queries."""
    found: dict[str, Organisation] = {}
    rows = OrgPaper.objects.filter(paper_id__in=list(hf_names)).select_related("org")
    for link in rows.order_by("added", "pk"):
        found.setdefault(link.paper_id, link.org)
    wanted = {hf for pid, hf in hf_names.items() if hf and pid not in found}
    if wanted:
        by_hf = {o.hf_name: o for o in _approved().filter(hf_name__in=wanted)}
        for pid, hf in hf_names.items():
            if pid not in found and hf in by_hf:
                found[pid] = by_hf[hf]
    return found


def orgs_of_paper(paper_id: str, hf: str) -> list[Organisation]:
    """The local organisations a paper belongs to (attached, or by an approved claim of its
    Hugging Face organisation ``hf``). One query."""
    condition = Q(papers__paper_id=paper_id)
    if hf:
        condition |= Q(hf_name=hf, hf_status=Organisation.APPROVED)
    return list(Organisation.objects.filter(condition).distinct().order_by("name"))


def by_claim(hf_name: str) -> Organisation | None:
    """The local organisation whose approved claim is ``hf_name``."""
    return _approved().filter(hf_name=hf_name).first()

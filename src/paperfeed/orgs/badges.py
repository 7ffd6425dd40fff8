"""The organisation badge of a card: a local organisation's (avatar and name, linking to
``/orgs/<slug>``) for a paper attached to one or claimed through its Hugging Face name, else
None (the card keeps Hugging Face's badge). Asked once per request for every paper the page
shows (``papers`` and ``paper`` of the template context), not once per card."""

from __future__ import annotations

from django.urls import reverse

from paperfeed.orgs import matching
from paperfeed.signals.display import Badge, http_url


def _hf(paper) -> str:
    signals = getattr(paper, "external", None)
    return getattr(signals, "org_name", "") or ""


def badge_of(org) -> Badge:
    return Badge(org.name, reverse("personal:org", args=[org.slug]), "org", http_url(org.avatar))


def for_paper(context, paper) -> Badge | None:
    request = context.get("request")
    known = getattr(request, "_org_badges", None) if request is not None else None
    if known is None or paper.pk not in known[0]:
        shown = [p for p in context.get("papers") or () if hasattr(p, "pk")] + [paper]
        names = {p.pk: _hf(p) for p in shown}
        known = (set(names), matching.badge_orgs(names))
        if request is not None:
            request._org_badges = known
    org = known[1].get(paper.pk)
    return None if org is None else badge_of(org)

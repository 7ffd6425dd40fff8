"""``{% paper_orgs paper %}``: the paper page's local organisations (badges linking to their
pages) and, for a member of organisations the paper is not in yet, the small "Add to my
organisation" form. Two queries (the paper's organisations, the user's)."""

from __future__ import annotations

from django import template

from paperfeed.orgs import badges, core, matching

register = template.Library()


@register.inclusion_tag("orgs/_paper_orgs.html", takes_context=True)
def paper_orgs(context, paper):
    keep = ("user", "request", "csrf_token")  # the form needs the page's CSRF token
    signals = context.get("signals")  # the paper page's, already loaded
    theirs = matching.orgs_of_paper(paper.pk, getattr(signals, "org_name", "") or "")
    inside = {o.pk for o in theirs}
    mine = [o for o in core.orgs_of(context.get("user")) if o.pk not in inside]
    return {
        "paper": paper,
        "orgs": [badges.badge_of(o) for o in theirs],
        "mine": mine,
        **{k: context.get(k) for k in keep},
    }

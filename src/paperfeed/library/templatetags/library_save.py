"""``{% save_button paper %}``: the Save button of a card or the paper page. Whether the user
saved each paper is asked once per request for every paper the page shows (``papers`` and
``paper`` of the context), not once per card."""

from __future__ import annotations

from django import template

from paperfeed.library import collections

register = template.Library()


def _saved(context, paper) -> bool:
    request = context.get("request")
    user = context.get("user")
    if request is None or user is None or not user.is_authenticated:
        return False
    known = getattr(request, "_library_saved", None)
    if known is None or paper.pk not in known[0]:
        ids = {p.pk for p in context.get("papers") or () if hasattr(p, "pk")} | {paper.pk}
        known = (ids, collections.saved_paper_ids(user, ids))
        request._library_saved = known
    return paper.pk in known[1]


@register.inclusion_tag("library/_save_button.html", takes_context=True)
def save_button(context, paper):
    keep = ("user", "request", "csrf_token")  # the form needs the page's CSRF token
    return {"paper": paper, "saved": _saved(context, paper), **{k: context.get(k) for k in keep}}

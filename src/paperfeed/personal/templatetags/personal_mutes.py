"""``{% mute_buttons paper %}``: the paper page's "Mute…" menu (authors, categories)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("personal/_mute_buttons.html", takes_context=True)
def mute_buttons(context, paper):
    keep = ("user", "request", "csrf_token")  # the forms need the CSRF token of the page
    return {"paper": paper, **{name: context.get(name) for name in keep}}

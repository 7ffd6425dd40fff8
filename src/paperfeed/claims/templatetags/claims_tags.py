"""``{% claim_menu paper %}``: the paper page's "This is me" menu, one link per author to the
claim form (signed-in readers only)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("claims/_claim_menu.html", takes_context=True)
def claim_menu(context, paper):
    return {"paper": paper, "user": context.get("user")}

"""``{% follow_button kind value label %}``: follow (or unfollow) an author, category,
organisation or search from its page; one query for a signed-in user, none otherwise."""

from __future__ import annotations

from django import template

from paperfeed.personal import follows

register = template.Library()


@register.inclusion_tag("personal/_follow_button.html", takes_context=True)
def follow_button(context, kind, value, label="", text=""):
    """The button of ``kind``/``value`` (as stored: an author's id, a category, an
    organisation's HF name, a search with its white space collapsed)."""
    user = context.get("user")
    value = " ".join(str(value).split())
    keep = ("user", "request", "csrf_token")  # the form needs the page's CSRF token
    return {
        "kind": kind,
        "value": value,
        "label": label or value,
        "text": text,
        "following": follows.following(user, kind, value),
        **{name: context.get(name) for name in keep},
    }

"""Template helpers: math rendering, the signal texts of cards (from
:mod:`paperfeed.signals.display`), and the community partials when that app provides them."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django import template
from django.apps import apps
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html, format_html_join

from paperfeed.claims import links as claim_links
from paperfeed.orgs import badges as org_badges
from paperfeed.signals import display
from paperfeed.web.latex import render_math, render_paragraphs

register = template.Library()

COMMENTS = "community/_comments.html"


@functools.lru_cache(maxsize=16)
def template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def _render_in(context, name: str, **values) -> str:
    """Render template ``name`` inside the current context (like ``{% include %}``)."""
    template = context.template.engine.get_template(name)
    with context.push(**values):
        return template.render(context)


@register.filter(name="mathml")
def mathml(text):
    """Escaped text with ``$...$`` rendered as MathML."""
    return render_math(text)


@register.filter(name="paragraphs")
def paragraphs(text):
    return render_paragraphs(text)


@register.filter(name="humanize")
def humanize(count):
    """1234 -> "1.2k" (empty for an absent count)."""
    return display.humanize(count if isinstance(count, int) else None)


def _signals(paper):
    """``paper.external`` (None when no service said anything, or the list did not load it)."""
    return getattr(paper, "external", None) or None


@register.simple_tag(takes_context=True)
def card_of(context, paper):
    """What the card shows of ``paper``'s signals: summary line, badges (the organisation's
    local badge when it has one: :mod:`paperfeed.orgs.badges`, asked once per page), "why here"
    line. ``{% card_of paper as c %}``."""
    return display.card(paper.upvotes or 0, _signals(paper), org_badges.for_paper(context, paper))


@register.filter(name="abstract_lead")
def abstract_lead(text):
    return display.abstract_lead(text or "")


@functools.lru_cache(maxsize=4)
def _author_url_prefix(script_prefix: str) -> str:
    return reverse("author", args=[0])[:-1]


def _author_link(prefix: str, author) -> str:
    """The author page, or the profile of the user whose approved claim holds the author."""
    if author.claimed_by:
        return format_html(
            '<a class="claimed" href="{}" title="{} on paperfeed">{}</a>',
            reverse("user", args=[author.claimed_by]),
            author.claimed_by,
            author.name,
        )
    return format_html('<a href="{}{}">{}</a>', prefix, author.pk, author.name)


@register.filter(name="author_links")
def author_links(authors, limit=None):
    """Comma-separated links to the author pages, at most ``limit`` then "… (+N)".

    Built in Python (one reverse() per process) because a 50-card page would otherwise resolve
    hundreds of ``{% url %}`` tags.
    """
    authors = list(authors or [])
    shown = authors[: int(limit)] if limit else authors
    if any(not hasattr(a, "claimed_by") for a in shown):
        claim_links.mark(shown)  # authors not hydrated by the lists (one query)
    prefix = _author_url_prefix(get_script_prefix())
    links = format_html_join(", ", "{}", ((_author_link(prefix, a),) for a in shown))
    if len(authors) > len(shown):
        return format_html("{}, … (+{})", links, len(authors) - len(shown))
    return links


@register.simple_tag(takes_context=True)
def vote_button(context, paper):
    """The community app's htmx vote form, or the bare count when that app is not installed."""
    if apps.is_installed("paperfeed.community"):
        from paperfeed.community.vote_button import vote_button as button

        voted = getattr(paper, "voted", False)
        return button(context["request"], paper, voted, context.get("next") or None)
    return format_html(
        '<span class="votes" aria-label="{} upvotes">▲ {}</span>', paper.upvotes, paper.upvotes
    )


@register.simple_tag(takes_context=True)
def comments_section(context, paper, comments):
    """The community app's comment thread and form, or a read-only list when absent."""
    name = COMMENTS if template_exists(COMMENTS) else "web/_comments_readonly.html"
    return _render_in(context, name, paper=paper, comments=comments)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with ``changes`` applied (None or '' removes a key)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = urlencode(sorted(params.lists()), doseq=True)
    return "?" + encoded if encoded else "?"

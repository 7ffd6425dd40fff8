"""The upvote button of a card and of the paper page, as HTML built in Python.

An htmx form that swaps itself in place (a plain form post without JavaScript) for a member; a
"log in to upvote" link for anyone else. The form sends the wanted state (``voted=1``/``0``),
so a double click cannot undo itself. The vote view answers an htmx vote with the same HTML.

Built with ``format_html`` rather than a sub-template: a page of 20–50 cards rendered the
partial once a card, a fifth of the search page's rendering time (docs/benchmarks.md, "Search
page rendering").
"""

from __future__ import annotations

import functools
from urllib.parse import quote

from django.middleware.csrf import get_token
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString


@functools.lru_cache(maxsize=4)
def _login_url(script_prefix: str) -> str:
    return reverse("account_login")


def _label(voted: bool, upvotes: int) -> tuple[str, str]:
    action = "Remove your upvote" if voted else "Upvote"
    return action, f"{action} ({upvotes} upvote{'' if upvotes == 1 else 's'})"


def vote_button(request, paper, voted: bool, next_path: str | None = None) -> SafeString:
    """The button for ``paper`` (``paper.upvotes`` shown) as ``request``'s user sees it;
    ``next_path``: where the vote returns without htmx (default: this page)."""
    upvotes = paper.upvotes or 0
    back = next_path or request.get_full_path()
    if not request.user.is_authenticated:
        return format_html(
            '<a class="vote-button vote-login" href="{}?next={}" aria-label="Log in to upvote '
            '({} upvote{})" title="Log in to upvote"><span aria-hidden="true">▲</span> '
            '<span class="vote-count">{}</span></a>',
            _login_url(get_script_prefix()),
            quote(back, safe="/"),
            upvotes,
            "" if upvotes == 1 else "s",
            upvotes,
        )
    action, label = _label(voted, upvotes)
    url = reverse("community:vote", args=[paper.pk])
    return format_html(
        '<form class="vote-form" method="post" action="{}" hx-post="{}" hx-target="this" '
        'hx-swap="outerHTML"><input type="hidden" name="csrfmiddlewaretoken" value="{}">\n'
        '  <input type="hidden" name="next" value="{}">\n'
        '  <input type="hidden" name="voted" value="{}">\n'
        '  <button type="submit" class="vote-button{}" aria-pressed="{}" aria-label="{}" '
        'title="{}"><span aria-hidden="true">▲</span> <span class="vote-count">{}</span></button>\n'
        "</form>",
        url,
        url,
        get_token(request),
        back,
        "0" if voted else "1",
        " voted" if voted else "",
        "true" if voted else "false",
        label,
        action,
        upvotes,
    )

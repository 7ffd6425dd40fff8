"""A collection note as safe HTML: the comments' Markdown subset and sanitiser
(:func:`paperfeed.community.comments.render_markdown`) with ``$...$`` math as the titles'
sanitised MathML (:func:`paperfeed.web.latex.math_to_mathml`).

Math segments are taken out before Markdown runs (so ``$a_1 b_1$`` is not read as emphasis),
replaced by a token of letters and digits that Markdown and nh3 leave alone, and put back as
MathML after sanitising; MathML comes only from latex.py's allow-list writer. A segment that
does not convert, or that ended up in an attribute (a link's URL), goes back as escaped text.
"""

from __future__ import annotations

import html
import re
import secrets

from django.utils.safestring import SafeString, mark_safe

from paperfeed.community.comments import render_markdown
from paperfeed.web.latex import MATH_SEGMENT, math_to_mathml


def render_note(source: str) -> SafeString:
    """``source`` (Markdown with ``$...$`` math) as sanitised HTML; empty for an empty note."""
    if not source.strip():
        return mark_safe("")
    nonce = secrets.token_hex(6)
    segments: list[str] = []

    def stash(match: re.Match) -> str:
        segments.append(match.group(1))
        return f"pfmath{nonce}x{len(segments) - 1}x"

    body = render_markdown(MATH_SEGMENT.sub(stash, source))

    token = re.compile(rf"pfmath{nonce}x(\d+)x")

    def as_text(match: re.Match) -> str:
        return html.escape(f"${segments[int(match.group(1))]}$", quote=True)

    def restore(match: re.Match) -> str:
        try:
            return math_to_mathml(segments[int(match.group(1))])
        except Exception:  # noqa: BLE001 - any converter failure shows the source text
            return as_text(match)

    # a segment inside an attribute (a link's URL: nh3 leaves only href) goes back as text
    body = re.sub(r'="[^"]*"', lambda m: token.sub(as_text, m.group(0)), str(body))
    return mark_safe(token.sub(restore, body))  # noqa: S308 - sanitised MathML or escaped text

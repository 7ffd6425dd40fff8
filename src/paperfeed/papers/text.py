"""Normalising arXiv text for display and indexing, keeping LaTeX as it is.

arXiv sends titles and abstracts hard-wrapped at ~80 columns; a line that starts with
indentation begins a new paragraph. We collapse the wrapping, keep paragraphs as blank-line
separated blocks, and never touch LaTeX (``$O(n^2)$`` stays).
"""

from __future__ import annotations

import re

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*|\n[ \t]+(?=\S)")
_WHITESPACE = re.compile(r"\s+")


def collapse(text: str | None) -> str:
    """All runs of white space (line breaks included) to one space, stripped."""
    if not text:
        return ""
    return _WHITESPACE.sub(" ", text).strip()


def normalise_abstract(text: str | None) -> str:
    """Collapse hard wrapping inside paragraphs; paragraphs joined by a blank line."""
    if not text:
        return ""
    paragraphs = (collapse(p) for p in _PARAGRAPH_BREAK.split(text.strip()))
    return "\n\n".join(p for p in paragraphs if p)


def normalise_name(name: str | None) -> str:
    return collapse(name)

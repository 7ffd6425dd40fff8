"""Normalising arXiv text for display and indexing, keeping LaTeX as it is.

arXiv sends titles and abstracts hard-wrapped at ~80 columns; a line that starts with
indentation begins a new paragraph. We collapse the wrapping, keep paragraphs as blank-line
separated blocks, and never touch LaTeX (``$O(n^2)$`` stays). :func:`strip_control` drops the
characters no stored text should hold (XML 1.0 and PostgreSQL cannot carry some of them).
"""

from __future__ import annotations

import re

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*|\n[ \t]+(?=\S)")
_WHITESPACE = re.compile(r"\s+")
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_SPACING = re.compile("[\x0b\x0c\x1c-\x1f]")  # the C0 controls Python counts as white space
_DROPPED = re.compile("[\x00-\x08\x0e-\x1b\x7f\ud800-\udfff\ufffe\uffff]")
_CARRIAGE_RETURN = re.compile("\r\n?")


def strip_control(text: str) -> str:
    """``text`` without control characters: of the C0 controls only tab and newline stay.

    A carriage return (alone or before a newline) becomes a newline, and the controls that are
    white space (vertical tab, form feed, the four separators) a space, so words they parted
    stay apart; the other C0 controls, DEL, surrogates (in a ``str`` always lone, as JSON's
    ``"\\ud800"`` decodes) and the non-characters U+FFFE and U+FFFF are dropped. Everything
    else, LaTeX included, is left as it is.

    XML 1.0 cannot carry these characters at all (a feed holding one was a 500), PostgreSQL
    refuses NUL, and neither database stores a surrogate; in arXiv text they are debris, such
    as the vertical tab a mis-decoded ``\\vec`` leaves.

    >>> strip_control("a\\x0bb\\x01c $\\\\alpha$\\r\\nd\\te")
    'a bc $\\\\alpha$\\nd\\te'
    """
    if not text or _UNWANTED.search(text) is None:
        return text
    text = _CARRIAGE_RETURN.sub("\n", text)
    return _DROPPED.sub("", _SPACING.sub(" ", text))


def collapse(text: str | None) -> str:
    """All runs of white space (line breaks included) to one space, stripped; no control
    characters (:func:`strip_control`)."""
    if not text:
        return ""
    return _WHITESPACE.sub(" ", strip_control(text)).strip()


def normalise_abstract(text: str | None) -> str:
    """Collapse hard wrapping inside paragraphs; paragraphs joined by a blank line."""
    if not text:
        return ""
    parts = _PARAGRAPH_BREAK.split(strip_control(text).strip())
    paragraphs = (_WHITESPACE.sub(" ", p).strip() for p in parts)  # collapse, already stripped
    return "\n\n".join(p for p in paragraphs if p)


def normalise_name(name: str | None) -> str:
    return collapse(name)

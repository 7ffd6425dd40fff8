"""Control characters leave text at ingest (:func:`strip_control`), and nothing else does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from paperfeed.papers.text import collapse, normalise_abstract, strip_control

SPACING = "\x0b\x0c\x1c\x1d\x1e\x1f"  # C0 controls Python counts as white space: a space


def unwanted(c: str) -> bool:
    """What XML 1.0 or a database cannot hold, and DEL: every C0 control but tab and newline."""
    code = ord(c)
    return (
        (code < 32 and c not in "\t\n")
        or code == 0x7F
        or 0xD800 <= code <= 0xDFFF
        or c in "\ufffe\uffff"
    )


def expected(text: str) -> str:
    """The oracle, a character at a time: CR (LF) a newline, spacing controls a space, the rest
    of the unwanted dropped, every other character as it was."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(" " if c in SPACING else "" if unwanted(c) else c for c in text)


# every code point (surrogates and controls included), with controls and LaTeX made frequent
ANY_CHAR = st.characters(exclude_categories=())
PIECES = st.sampled_from(
    ["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\r", "\r\n", "\ud800", "\udfff"]
    + ["\ufffe", "\t", "\n", " ", "$\\alpha<\\beta$", "\\vec{x}", "\x85", "\u2028", "é"]
)
ANY_TEXT = st.lists(st.one_of(st.text(ANY_CHAR, max_size=5), PIECES), max_size=12).map("".join)
FAST = settings(max_examples=300, deadline=None)


@FAST
@given(ANY_TEXT)
def test_no_control_character_survives_and_nothing_else_changes(text):
    out = strip_control(text)
    assert not any(unwanted(c) for c in out), repr(out)
    assert out == expected(text)
    assert strip_control(out) == out  # idempotent


@FAST
@given(st.text(st.characters(exclude_categories=("Cc", "Cs")) | st.sampled_from("\t\n")))
def test_clean_text_is_left_as_it_is(text):
    text = text.replace("\ufffe", "").replace("\uffff", "")
    assert strip_control(text) == text


@FAST
@given(ANY_TEXT)
def test_titles_and_abstracts_are_normalised_without_control_characters(text):
    for out in (collapse(text), normalise_abstract(text)):
        assert not any(unwanted(c) or c == "\r" for c in out), repr(out)
    assert collapse(text) == collapse(expected(text))

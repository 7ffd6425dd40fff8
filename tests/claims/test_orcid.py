"""ORCID iDs: the ISO 7064 11,2 check digit, the forms accepted, the errors."""

from __future__ import annotations

import pytest

from paperfeed.claims.orcid import OrcidError, check_character, parse


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),  # ORCID's documentation example
        ("https://orcid.org/0000-0001-5109-3700", "0000-0001-5109-3700"),
        ("0000-0002-1694-233x", "0000-0002-1694-233X"),  # check character X
        ("0000000218250097", "0000-0002-1825-0097"),
        ("", ""),
    ],
)
def test_valid(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text, problem",
    [("0000-0002-1825-0098", "check digit"), ("1234", "16 digits"), ("abcd-efgh", "16 digits")],
)
def test_invalid(text, problem):
    with pytest.raises(OrcidError, match=problem):
        parse(text)


def test_check_character():
    assert check_character("000000021694233") == "X"

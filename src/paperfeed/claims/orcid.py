"""ORCID iDs: the form ``0000-0002-1825-0097`` and its check character (ISO 7064 MOD 11-2)."""

from __future__ import annotations

import re

_FORM = re.compile(r"(?:https?://orcid\.org/)?(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])")


class OrcidError(ValueError):
    pass


def check_character(digits: str) -> str:
    """ISO 7064 11,2 over the first 15 digits (ORCID's own description of the checksum).

    >>> check_character("000000021825009")
    '7'
    """
    total = 0
    for d in digits:
        total = (total + int(d)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def parse(text: str) -> str:
    """``text`` as ``0000-0000-0000-000X``; "" for empty; OrcidError naming what is wrong.

    >>> parse("https://orcid.org/0000-0002-1825-0097"), parse(" ")
    ('0000-0002-1825-0097', '')
    """
    text = (text or "").strip().upper().replace("HTTPS://ORCID.ORG/", "https://orcid.org/")
    if not text:
        return ""
    match = _FORM.fullmatch(text)
    if match is None:
        raise OrcidError(f"ORCID iD {text[:40]!r} is not 16 digits like 0000-0002-1825-0097")
    digits = "".join(match.groups())
    if check_character(digits[:15]) != digits[15]:
        raise OrcidError(f"ORCID iD {text[:40]!r} has a wrong check digit: mistyped?")
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))

"""The named rules ``PAPERFEED_CLAIM_AUTO_APPROVE`` combines, over a claim's evidence
(:mod:`paperfeed.claims.evidence`); pure, so ``paperfeed/config.py`` checks the setting at start.

Syntax: alternatives separated by commas, each the named rules joined by ``+`` that must all
hold; empty means never. ``"orcid+verified_email, coauthors+name"`` approves a claim that gave
an ORCID iD from an account with a verified email address, or one whose author shares a
co-author with the user's approved authors and whose name is the account's.
"""

from __future__ import annotations

# name -> (what it asks of the evidence, help)
RULES = {
    "orcid": (
        lambda e: e.get("orcid_given", False),
        "an ORCID iD with a valid check digit was given",
    ),
    "verified_email": (
        lambda e: bool(e.get("verified_email_domain")),
        "the account has a verified email address",
    ),
    "name": (
        lambda e: e.get("name_match") == "exact",
        "the account's full name or username is the author's name",
    ),
    "coauthors": (
        lambda e: e.get("coauthors_in_common", 0) > 0,
        "the author shares a co-author with an author the user's approved claims hold",
    ),
}


def parse_rule(text: str) -> list[list[str]]:
    """``"orcid+verified_email, coauthors"`` as ``[["orcid", "verified_email"], ["coauthors"]]``:
    alternatives separated by commas, each the named rules that must all hold; "" = never.
    ValueError names an unknown rule."""
    alternatives = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        names = [n.strip() for n in part.split("+")]
        for name in names:
            if name not in RULES:
                raise ValueError(
                    f"unknown claim rule {name!r}: use {', '.join(RULES)} joined by + (all) "
                    "and , (any)"
                )
        alternatives.append(names)
    return alternatives


def matching_rule(rule_text: str, evidence: dict) -> str:
    """The first alternative of ``rule_text`` that ``evidence`` satisfies, as written, or ""."""
    for names in parse_rule(rule_text):
        if all(RULES[name][0](evidence) for name in names):
            return "+".join(names)
    return ""

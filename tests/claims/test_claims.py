"""Claims: every state move, the evidence, the auto-approve rules, disputes, papers by a user."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import override_settings

from paperfeed.claims import claims, links, rules
from paperfeed.claims.models import Claim

S = Claim.State
ORCID = "0000-0002-1825-0097"


def test_a_claim_waits_for_a_moderator_with_its_evidence(alice, turing):
    EmailAddress.objects.create(user=alice, email="alice@uni.example", verified=True, primary=True)
    claim = claims.make(alice, turing.pk, orcid=f"https://orcid.org/{ORCID}", note="  me  ")
    assert (claim.state, claim.orcid, claim.note, claim.disputed) == (S.PENDING, ORCID, "me", False)
    assert claim.evidence == {
        "verified_email_domain": "uni.example",
        "orcid_given": True,
        "papers_under_name": 2,
        "coauthors_in_common": 0,
        "coauthors_shown": [],
        "name_match": "",
    }


def test_every_move(alice, bob, turing, ada):
    pending = claims.make(alice, turing)
    approved = claims.approve(pending.pk, bob)
    assert (approved.state, approved.decided_by, approved.decided is not None) == (
        S.APPROVED,
        bob,
        True,
    )
    with pytest.raises(claims.ClaimError, match="is approved: it cannot be approved"):
        claims.approve(pending.pk, bob)
    rejected = claims.reject(pending.pk, bob, "not the same person")
    assert (rejected.state, rejected.reason) == (S.REJECTED, "not the same person")
    for move in (
        lambda: claims.withdraw(alice, pending.pk),
        lambda: claims.approve(pending.pk, bob),
    ):
        with pytest.raises(claims.ClaimError, match="is rejected"):
            move()
    again = claims.make(alice, turing)  # a rejected claim may be made again
    assert claims.withdraw(alice, again.pk).state == S.WITHDRAWN
    with pytest.raises(claims.ClaimError, match="is withdrawn"):
        claims.approve(again.pk, bob)
    other = claims.make(alice, ada)
    assert claims.reject(other.pk, bob, "no").state == S.REJECTED  # pending -> rejected
    approved_then_withdrawn = claims.approve(claims.make(alice, ada).pk, bob)
    assert claims.withdraw(alice, approved_then_withdrawn.pk).state == S.WITHDRAWN


def test_refusals(alice, bob, turing):
    claim = claims.make(alice, turing)
    with pytest.raises(claims.ClaimError, match="already claimed 'Alan Turing'"):
        claims.make(alice, turing)
    with pytest.raises(claims.NotFound, match="no claim .* of yours"):
        claims.withdraw(bob, claim.pk)
    with pytest.raises(claims.NotFound, match="no author with id 99999"):
        claims.make(alice, 99999)
    with pytest.raises(claims.ClaimError, match="author must be"):
        claims.make(alice, "x")
    with pytest.raises(claims.ClaimError, match="check digit"):
        claims.make(bob, turing, orcid="0000-0002-1825-0098")
    with pytest.raises(claims.ClaimError, match="note is 2,001 characters"):
        claims.make(bob, turing, note="x" * 2001)
    with pytest.raises(claims.ClaimError, match="say why"):
        claims.reject(claim.pk, bob, "  ")
    assert Claim.objects.count() == 1


def test_a_second_claim_on_a_held_author_is_a_dispute(alice, bob, turing, ada):
    first = claims.approve(claims.make(alice, turing).pk, bob)
    with override_settings(PAPERFEED_CLAIM_AUTO_APPROVE="orcid"):
        second = claims.make(bob, turing, orcid=ORCID)
    assert (second.state, second.disputed) == (S.PENDING, True)  # never approved automatically
    assert claims.rivals(second) == [first] and claims.rivals(first) == [second]
    claims.approve(second.pk, alice)  # namesakes: both hold the name
    third_user = type(alice).objects.create_user("carol")
    pending = claims.make(third_user, turing)  # disputed when made
    late = claims.make(alice, ada)
    claims.approve(claims.make(bob, ada).pk, alice)
    assert (late.disputed, claims.approve(late.pk, bob).disputed) == (
        False,
        True,
    )  # approved second
    assert pending.disputed
    assert links.holders([turing.pk]) == {turing.pk: "alice"}  # the earliest approved links


@pytest.mark.parametrize(
    "rule, setup, approved",
    [
        ("", "orcid", False),
        ("orcid", "orcid", True),
        ("orcid", "", False),
        ("verified_email", "email", True),
        ("verified_email", "", False),
        ("orcid+verified_email", "orcid", False),
        ("orcid+verified_email", "orcid email", True),
        ("name", "name", True),
        ("name", "", False),
        ("coauthors", "coauthors", True),
        ("coauthors", "", False),
        ("name, orcid", "orcid", True),
    ],
)
def test_auto_approve_rules(alice, bob, turing, ada, rule, setup, approved):
    if "email" in setup:
        EmailAddress.objects.create(user=alice, email="a@x.example", verified=True)
    if "name" in setup:
        alice.first_name, alice.last_name = "alan", "TURING"
        alice.save()
    if "coauthors" in setup:  # Ada wrote with Turing, who wrote with Marie Curie; alice holds Marie
        from paperfeed.papers.models import Author

        claims.approve(claims.make(alice, Author.objects.get(name="Marie Curie")).pk, bob)
        turing = ada  # Ada's co-author Turing is Marie Curie's co-author too
    with override_settings(PAPERFEED_CLAIM_AUTO_APPROVE=rule):
        claim = claims.make(alice, turing, orcid=ORCID if "orcid" in setup else "")
    assert (claim.state == S.APPROVED) is approved
    assert claim.auto_rule == (rule.split(",")[-1].strip() if approved else "")


def test_rule_language():
    assert rules.parse_rule(" orcid+name , coauthors") == [["orcid", "name"], ["coauthors"]]
    assert rules.parse_rule("") == []
    with pytest.raises(ValueError, match="unknown claim rule 'ordic'"):
        rules.parse_rule("ordic")


def test_name_match(alice, turing):
    from paperfeed.claims.evidence import name_match

    alice.first_name, alice.last_name = "A.", "Turing"
    assert name_match(alice, "Alan Turing") == "initials"
    alice.first_name, alice.last_name = "Alán", "Turing"
    assert name_match(alice, "Alan  Turing") == "exact"
    assert name_match(alice, "Grace Hopper") == ""


def test_papers_by_a_user_are_their_approved_authors_newest_first(alice, bob, turing, ada):
    assert claims.papers_by(alice).total == 0
    claims.approve(claims.make(alice, turing).pk, bob)
    pending = claims.make(alice, ada)
    page = claims.papers_by(alice, per_page=1)
    assert [p.arxiv_id for p in page.items] == ["2503.00003"] and page.total == 2 and page.has_next
    assert [p.arxiv_id for p in claims.papers_by(alice, page=2, per_page=1).items] == ["2503.00001"]
    claims.approve(pending.pk, bob)
    assert claims.papers_by(alice).total == 2  # Ada's one paper is Turing's too
    claims.withdraw(alice, Claim.objects.get(author=turing).pk)
    assert [p.arxiv_id for p in claims.papers_by(alice).items] == ["2503.00001"]


def test_the_setting_is_checked_at_start(monkeypatch):
    from paperfeed import config

    monkeypatch.setenv("PAPERFEED_CLAIM_AUTO_APPROVE", "orcid + verified_email")
    assert config.claim_rule("PAPERFEED_CLAIM_AUTO_APPROVE") == "orcid + verified_email"
    monkeypatch.setenv("PAPERFEED_CLAIM_AUTO_APPROVE", "orcid+magic")
    with pytest.raises(
        config.ConfigError, match="PAPERFEED_CLAIM_AUTO_APPROVE=.*unknown claim rule 'magic'"
    ):
        config.claim_rule("PAPERFEED_CLAIM_AUTO_APPROVE")

"""The moderators' claims: pending ones with evidence, disputes side by side, approve, reject
with a reason."""

from __future__ import annotations

from paperfeed.claims import claims
from paperfeed.claims.models import Claim
from tests.community.factories import admin_action

URL = "/admin/claims/claim/"


def test_moderator_approves_and_rejects_with_a_reason(staff, alice, bob, turing, ada):
    one = claims.make(alice, turing, orcid="0000-0002-1825-0097")
    two = claims.make(alice, ada)
    page = staff.get(URL + "?state__exact=pending").content.decode()
    assert "Alan Turing" in page and "ORCID: True" in page and "papers: 2" in page
    admin_action(staff, URL, "approve", [one.pk])
    assert Claim.objects.get(pk=one.pk).state == "approved"
    asked = staff.post(URL, {"action": "reject", "_selected_action": [str(two.pk)]})
    assert asked.status_code == 200 and "Reason" in asked.content.decode()
    empty = {"action": "reject", "_selected_action": [str(two.pk)], "apply": "1", "reason": " "}
    assert "say why" in staff.post(URL, empty, follow=True).content.decode()
    assert Claim.objects.get(pk=two.pk).state == "pending"
    staff.post(URL, {**empty, "reason": "Not the Ada of these papers"})
    two.refresh_from_db()
    assert (two.state, two.reason, two.decided_by.username) == (
        "rejected",
        "Not the Ada of these papers",
        "moderator",
    )
    admin_action(staff, URL, "approve", [two.pk])  # a rejected claim stays rejected
    assert Claim.objects.get(pk=two.pk).state == "rejected"


def test_a_dispute_shows_the_other_claim(staff, alice, bob, turing):
    first = claims.approve(claims.make(alice, turing).pk, bob)
    second = claims.make(bob, turing, note="I am the other Alan Turing")
    page = staff.get(f"{URL}{second.pk}/change/").content.decode()
    assert f'<a href="../../{first.pk}/change/">alice</a>' in page and "approved" in page
    page = staff.get(f"{URL}{first.pk}/change/").content.decode()
    assert "I am the other Alan Turing" in page and ">bob<" in page

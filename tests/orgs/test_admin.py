"""The moderators' organisation pages: listed by claim state, a pending Hugging Face claim
approved or rejected with an action (then the claim counts, or not)."""

from __future__ import annotations

import pytest

from paperfeed.orgs import core
from paperfeed.orgs.models import Organisation
from tests.web.conftest import make_user

pytestmark = pytest.mark.django_db


def act(staff, action, *orgs):
    ids = [str(o.pk) for o in orgs]
    return staff.post("/admin/orgs/organisation/", {"action": action, "_selected_action": ids})


def test_moderator_approves_and_rejects_claims(staff):
    ann = make_user("ann")
    lab = core.create(ann, "ada-lab", "Ada Lab", hf_name="AdaHF")
    other = core.create(ann, "bob-lab", "Bob Lab", hf_name="BobHF")
    plain = core.create(ann, "plain", "Plain")
    listing = staff.get("/admin/orgs/organisation/?hf_status__exact=pending").content.decode()
    assert "Ada Lab" in listing and "Bob Lab" in listing and "Plain" not in listing
    assert "Ada Lab" in staff.get(f"/admin/orgs/organisation/{lab.pk}/change/").content.decode()
    assert act(staff, "approve_claims", lab).status_code == 302
    assert act(staff, "reject_claims", other, plain).status_code == 302
    states = dict(Organisation.objects.values_list("slug", "hf_status"))
    assert states == {"ada-lab": "approved", "bob-lab": "rejected", "plain": ""}
    assert Organisation.objects.get(slug="ada-lab").claimed_hf == "AdaHF"
    assert Organisation.objects.get(slug="bob-lab").claimed_hf == ""
    assert staff.get("/admin/orgs/organisation/add/").status_code == 403

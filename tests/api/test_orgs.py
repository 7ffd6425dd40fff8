"""/api/v1/orgs: create (rate-limited), read with members and a page of papers, members and
roles, attach and detach papers; refusals as 400/403/404/429 with the reason."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from paperfeed.orgs.models import Membership, Organisation, OrgPaper

pytestmark = pytest.mark.django_db
JSON = "application/json"


def make(api, slug="ada-lab", **extra):
    return api.post("/api/v1/orgs", {"slug": slug, "name": "Ada Lab", **extra}, JSON)


def test_create_read_and_attach(alice_api, bob, papers):
    response = make(alice_api, description="We read.")
    assert response.status_code == 201, response.json()
    assert response.json()["url"] == "/orgs/ada-lab" and response.json()["hf_status"] == ""
    assert (
        alice_api.post("/api/v1/orgs/ada-lab/papers", {"paper": papers[0]}, JSON).status_code == 201
    )
    assert (
        alice_api.post("/api/v1/orgs/ada-lab/papers", {"paper": papers[0]}, JSON).status_code == 200
    )
    got = Client().get("/api/v1/orgs/ada-lab").json()  # public
    assert got["name"] == "Ada Lab" and got["role"] is None
    assert got["members"] == [{"username": "alice", "role": "owner"}]
    assert [p["id"] for p in got["papers"]["items"]] == [papers[0]] and got["papers"]["total"] == 1
    assert alice_api.get("/api/v1/orgs/ada-lab").json()["role"] == "owner"
    gone = alice_api.delete(f"/api/v1/orgs/ada-lab/papers?paper={papers[0]}")
    assert gone.status_code == 204 and not OrgPaper.objects.exists()
    assert alice_api.delete(f"/api/v1/orgs/ada-lab/papers?paper={papers[0]}").status_code == 404


def test_members_and_roles(alice_api, bob):
    make(alice_api)
    response = alice_api.post("/api/v1/orgs/ada-lab/members", {"username": "bob"}, JSON)
    assert response.status_code == 201 and response.json() == {"username": "bob", "role": "member"}
    again = alice_api.post(
        "/api/v1/orgs/ada-lab/members", {"username": "bob", "role": "admin"}, JSON
    )
    assert again.status_code == 200 and again.json()["role"] == "admin"
    last = alice_api.delete("/api/v1/orgs/ada-lab/members?username=alice")
    assert last.status_code == 400 and "at least one owner" in last.json()["detail"]
    assert alice_api.delete("/api/v1/orgs/ada-lab/members?username=bob").status_code == 204
    assert list(Membership.objects.values_list("user__username", "role")) == [("alice", "owner")]


def test_refusals_name_the_reason(alice_api, bob, papers):
    bad = make(alice_api, slug="Bad Slug")
    assert bad.status_code == 400 and "lower-case letters" in bad.json()["detail"]
    assert alice_api.get("/api/v1/orgs/nope").status_code == 404
    make(alice_api)
    from paperfeed.accounts.tokens import create_token

    bob_api = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(bob, 't')}")
    refused = bob_api.post("/api/v1/orgs/ada-lab/papers", {"paper": papers[0]}, JSON)
    assert refused.status_code == 403 and "only a member of Ada Lab" in refused.json()["detail"]
    assert Client().post("/api/v1/orgs", {"slug": "x", "name": "Xy"}, JSON).status_code == 401
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(bob)
    assert browser.post("/api/v1/orgs", {"slug": "bob", "name": "Bob"}, JSON).status_code == 403
    assert Organisation.objects.count() == 1


@override_settings(PAPERFEED_LIMIT_ORG="1/d/user")
def test_creation_is_rate_limited(alice_api):
    assert make(alice_api).status_code == 201
    response = make(alice_api, slug="other-lab")
    assert response.status_code == 429 and "Too many new organisations" in response.json()["detail"]
    assert Organisation.objects.count() == 1

# ruff: noqa: F811 - the claims tests' author fixtures, imported
"""Claims through the API: the caller's claims, claiming, withdrawing, a user's papers."""

from __future__ import annotations

from django.test import override_settings

from paperfeed.claims import claims
from tests.claims.conftest import ada, turing  # noqa: F401


def test_claim_list_and_withdraw(alice_api, turing):
    assert alice_api.get("/api/v1/me/claims").json() == []
    made = alice_api.post(
        "/api/v1/claims",
        {"author": turing.pk, "orcid": "0000-0002-1825-0097", "note": "me"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["author_name"], body["state"], body["orcid"], body["evidence"]["orcid_given"]) == (
        "Alan Turing",
        "pending",
        "0000-0002-1825-0097",
        True,
    )
    assert [c["id"] for c in alice_api.get("/api/v1/me/claims").json()] == [body["id"]]
    again = alice_api.post("/api/v1/claims", {"author": turing.pk}, content_type="application/json")
    assert again.status_code == 400 and "already claimed" in again.json()["detail"]
    gone = alice_api.post(f"/api/v1/claims/{body['id']}/withdraw")
    assert gone.status_code == 200 and gone.json()["state"] == "withdrawn"
    assert alice_api.post(f"/api/v1/claims/{body['id']}/withdraw").status_code == 400
    assert alice_api.post("/api/v1/claims/999/withdraw").status_code == 404


def test_bad_input(alice_api, turing):
    for payload, status, text in (
        ({"author": 99999}, 404, "no author"),
        ({"author": turing.pk, "orcid": "1234"}, 400, "16 digits"),
        ({"author": "x"}, 422, ""),
    ):
        response = alice_api.post("/api/v1/claims", payload, content_type="application/json")
        assert response.status_code == status and text in response.json()["detail"].__str__()


def test_needs_auth(client, turing):
    assert (
        client.post(
            "/api/v1/claims", {"author": turing.pk}, content_type="application/json"
        ).status_code
        == 401
    )
    assert client.get("/api/v1/me/claims").status_code == 401


@override_settings(PAPERFEED_LIMIT_CLAIM="1/d/user")
def test_limit(alice_api, turing, ada):
    assert (
        alice_api.post(
            "/api/v1/claims", {"author": turing.pk}, content_type="application/json"
        ).status_code
        == 201
    )
    refused = alice_api.post("/api/v1/claims", {"author": ada.pk}, content_type="application/json")
    assert refused.status_code == 429 and refused["Retry-After"]


def test_user_papers(client, alice, bob, turing):
    assert client.get("/api/v1/users/alice/papers").json()["total"] == 0
    claims.approve(claims.make(alice, turing).pk, bob)
    body = client.get("/api/v1/users/alice/papers?per_page=1").json()
    assert body["total"] == 2 and [p["id"] for p in body["items"]] == ["2503.00003"]
    assert client.get("/api/v1/users/nobody/papers").status_code == 404
    assert client.get("/api/v1/users/alice/papers?per_page=0").status_code == 400

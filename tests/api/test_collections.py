"""/api/v1 collections: list mine, create, get (visibility enforced), update, delete, items,
notes, order, invitations; refusals as 400/403/404 with the reason; OpenAPI documents them."""

from __future__ import annotations

from django.test import Client, override_settings

from paperfeed.accounts.tokens import create_token
from paperfeed.library import collections as col
from paperfeed.library.models import Collection

P1, P2, P3 = "2503.00001", "2503.00002", "cs/9809007"
JSON = "application/json"


def bob_api(bob) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(bob, 'tests')}")


def test_needs_credentials(client, papers):
    assert client.get("/api/v1/me/collections").status_code == 401
    assert client.post("/api/v1/me/collections", {"name": "x"}, JSON).status_code == 401
    assert client.post("/api/v1/me/saved", {"paper": P1}, JSON).status_code == 401


def test_create_add_note_reorder_get(alice_api, papers):
    made = alice_api.post(
        "/api/v1/me/collections", {"name": "Group", "visibility": "unlisted"}, JSON
    )
    assert made.status_code == 201
    cid = made.json()["id"]
    assert made.json()["url"] == f"/collections/{cid}-group"
    for paper in (P1, P2, P3):
        added = alice_api.post(f"/api/v1/collections/{cid}/items", {"paper": paper}, JSON)
        assert added.status_code == 201
    again = alice_api.post(f"/api/v1/collections/{cid}/items", {"paper": P1}, JSON)
    assert again.status_code == 200
    note = alice_api.put(f"/api/v1/collections/{cid}/note", {"paper": P3, "note": "$x^2$"}, JSON)
    assert note.status_code == 200 and "<msup>" in note.json()["note_html"]
    order = alice_api.put(f"/api/v1/collections/{cid}/order", {"papers": [P3, P1, P2]}, JSON)
    assert [i["paper"] for i in order.json()["items"]] == [P3, P1, P2]
    got = Client().get(f"/api/v1/collections/{cid}").json()  # unlisted: anyone with the link
    assert [i["paper"] for i in got["items"]] == [P3, P1, P2] and got["items"][0]["note"] == "$x^2$"
    gone = alice_api.delete(f"/api/v1/collections/{cid}/items?paper={P3}")
    assert gone.status_code == 204
    assert alice_api.delete(f"/api/v1/collections/{cid}/items?paper={P3}").status_code == 404
    mine = alice_api.get("/api/v1/me/collections").json()["collections"]
    assert [(c["name"], c["n_items"]) for c in mine] == [("Group", 2)]


def test_save_to_read_later(alice_api, papers):
    first = alice_api.post("/api/v1/me/saved", {"paper": P1}, JSON)
    assert first.status_code == 201 and first.json()["paper"] == P1
    assert alice_api.post("/api/v1/me/saved", {"paper": P1}, JSON).status_code == 200
    assert Collection.objects.get().is_default
    missing = alice_api.post("/api/v1/me/saved", {"paper": "9999.99999"}, JSON)
    assert missing.status_code == 404 and missing.json()["detail"] == "no paper '9999.99999'"


def test_visibility_and_rights(alice, alice_api, bob, papers):
    c = col.create(alice, "Private")
    assert Client().get(f"/api/v1/collections/{c.pk}").status_code == 404
    assert alice_api.get(f"/api/v1/collections/{c.pk}").status_code == 200
    bob_client = bob_api(bob)
    assert bob_client.get(f"/api/v1/collections/{c.pk}").status_code == 404
    invited = alice_api.post(f"/api/v1/collections/{c.pk}/invitations", {"username": "bob"}, JSON)
    assert invited.status_code == 201
    assert (
        bob_client.get("/api/v1/me/collections").json()["invitations"][0]["invited_by"] == "alice"
    )
    assert bob_client.post(f"/api/v1/collections/{c.pk}/accept").status_code == 204
    assert (
        bob_client.post(f"/api/v1/collections/{c.pk}/items", {"paper": P1}, JSON).status_code == 201
    )
    renamed = bob_client.patch(f"/api/v1/collections/{c.pk}", {"name": "Bob's"}, JSON)
    assert renamed.status_code == 403
    assert renamed.json()["detail"] == "only the owner of this collection can do that"
    assert bob_client.delete(f"/api/v1/collections/{c.pk}").status_code == 403
    assert bob_client.post(f"/api/v1/collections/{c.pk}/leave").status_code == 204
    assert bob_client.get(f"/api/v1/collections/{c.pk}").status_code == 404
    shared = alice_api.patch(f"/api/v1/collections/{c.pk}", {"visibility": "public"}, JSON)
    assert shared.json()["visibility"] == "public"
    assert Client().get("/api/v1/collections/public").json()["total"] == 1
    assert alice_api.delete(f"/api/v1/collections/{c.pk}").status_code == 204
    assert not Collection.objects.exists()


def test_refusals_say_why(alice_api, papers):
    empty = alice_api.post("/api/v1/me/collections", {"name": "  "}, JSON)
    assert empty.status_code == 400 and empty.json()["detail"] == "the name is empty"
    bad = alice_api.post("/api/v1/me/collections", {"name": "x", "visibility": "all"}, JSON)
    assert bad.status_code in (400, 422) and "visibility" in bad.json()["detail"]
    cid = alice_api.post("/api/v1/me/collections", {"name": "x"}, JSON).json()["id"]
    long = alice_api.put(f"/api/v1/collections/{cid}/note", {"paper": P1, "note": "n"}, JSON)
    assert long.status_code == 404 and "is not in “x”" in long.json()["detail"]
    order = alice_api.put(f"/api/v1/collections/{cid}/order", {"papers": [P1]}, JSON)
    assert (
        order.status_code == 400 and "not in the collection: 2503.00001" in order.json()["detail"]
    )
    nobody = alice_api.post(f"/api/v1/collections/{cid}/invitations", {"username": "zed"}, JSON)
    assert nobody.status_code == 404 and nobody.json()["detail"] == "no user called 'zed'"


def test_session_needs_csrf(alice, papers):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.post("/api/v1/me/collections", {"name": "x"}, JSON).status_code == 403
    assert not Collection.objects.exists()


def test_openapi_documents_the_routes(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for route in (
        "/api/v1/me/collections",
        "/api/v1/me/saved",
        "/api/v1/collections/{collection_id}",
        "/api/v1/collections/{collection_id}/items",
        "/api/v1/collections/{collection_id}/order",
    ):
        assert route in paths, route


@override_settings(PAPERFEED_LIMIT_INVITE="1/h/user")
def test_invitations_are_rate_limited(alice_api, bob, papers):
    cid = alice_api.post("/api/v1/me/collections", {"name": "x"}, JSON).json()["id"]
    url = f"/api/v1/collections/{cid}/invitations"
    assert alice_api.post(url, {"username": "bob"}, JSON).status_code == 201
    refused = alice_api.post(url, {"username": "zed"}, JSON)
    assert refused.status_code == 429 and refused["Retry-After"]

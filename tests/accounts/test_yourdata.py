"""The account export: every kind of data in the version-1 shape, no secrets, a fixed number of
queries whatever the account holds."""

from __future__ import annotations

import json

import bibtexparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperfeed.accounts import yourdata
from tests.accounts.account_data import fill

pytestmark = pytest.mark.django_db


def test_the_export_holds_every_kind_of_data(alice, bob):
    world = fill(alice, bob)
    data = json.loads(yourdata.as_json(alice))
    assert (data["format"], data["version"]) == ("paperfeed-account-export", 1)
    assert data["profile"]["username"] == "alice"
    assert data["profile"]["email"] == "alice@example.org"
    assert data["profile"]["date_joined"]
    assert {v["paper_id"] for v in data["votes"]} == {world.p1.pk, world.p2.pk}
    assert all(v["created"] for v in data["votes"])
    bodies = {c["body"] for c in data["comments"]}
    assert bodies == {"Nice **result**", "Alone", "Alice answers"}
    reply = next(c for c in data["comments"] if c["body"] == "Alice answers")
    assert reply["paper_id"] == world.p3.pk and reply["parent_id"] == world.bob_top.pk
    [reading] = data["collections"]
    assert [i["paper_id"] for i in reading["items"]] == [world.p1.pk, world.p2.pk]
    assert reading["items"][0]["note"] == "read *this*"
    assert [m["username"] for m in reading["collaborators"]] == ["bob"]
    [member] = data["collection_memberships"]
    assert (member["collection"], member["owner"]) == ("Bob's", "bob")
    assert data["follows"][0]["value"] == "Ada Lovelace"
    assert data["mutes"][0]["value"] == "blockchain"
    assert data["seen"] == [
        {"paper_id": world.p3.pk, "how": "dismissed", "at": data["seen"][0]["at"]}
    ]
    assert data["preferences"]["order"] == "community"
    subs = {s["email"]: s for s in data["digest_subscriptions"]}
    assert set(subs) == {"alice-work@example.org", "alice@example.org"}  # not the unverified one
    assert [s["query"] for s in subs["alice-work@example.org"]["saved_searches"]] == ["kv cache"]
    assert {s["arxiv_id"] for s in data["submissions"]} == {world.p1.pk, "2501.99999"}
    [token] = data["api_tokens"]
    assert token["name"] == "my script" and set(token) == {
        "name",
        "created",
        "last_used",
        "revoked",
    }
    assert data["feedback"] == [
        {"paper_id": world.p2.pk, "signal": 1, "created": data["feedback"][0]["created"]}
    ]
    library = bibtexparser.loads(data["library_bibtex"])
    assert [e.get("eprint") for e in library.entries] == [world.p1.pk, world.p2.pk]
    assert "read *this*" in library.entries[0]["annote"]


def test_no_secrets_in_the_export(alice, bob):
    fill(alice, bob)
    text = yourdata.as_json(alice)
    assert alice.password not in text
    assert "s3cret-feed-token" not in text
    assert alice.api_tokens.get().hash not in text
    assert "bob@example.org" not in text  # collaborators by username only


def test_queries_do_not_grow_with_the_data(alice, bob, django_user_model):
    fill(alice, bob, n=1)
    with CaptureQueriesContext(connection) as small:
        yourdata.build(alice)
    carol = django_user_model.objects.create_user("carol2", "c2@example.org", "pw-carol-123")
    dave = django_user_model.objects.create_user("dave", "d@example.org", "pw-dave-1234")
    fill(carol, dave, n=8)
    with CaptureQueriesContext(connection) as large:
        yourdata.build(carol)
    assert len(large) == len(small)

"""The collection pages: lists and their JSON twins, a collection's page (cards, notes, changes
by rights), every change a POST with CSRF, refusals that say why."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from paperfeed.library import collaborators
from paperfeed.library import collections as col
from paperfeed.library.models import Collection, CollectionItem

P1, P2 = "2503.00001", "2503.00002"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def group(alice, bob, papers):
    c = col.create(alice, "Reading group", description="Tuesdays", visibility="unlisted")
    col.add(alice, c.pk, P1)
    col.add(alice, c.pk, P2)
    col.set_note(alice, c.pk, P1, "Why: $x^2$ **matters**")
    return c


def url(c, tail: str = "") -> str:
    return f"/collections/{c.pk}{tail}"


def test_my_collections_and_json_twin(alice, group):
    client = logged_in(alice)
    html = client.get("/collections").content.decode()
    assert "Reading group" in html and "2 papers" in html
    data = client.get("/collections?format=json").json()
    assert [c["name"] for c in data["collections"]] == ["Reading group"]
    assert data["collections"][0]["url"] == f"/collections/{group.pk}-reading-group"
    assert Client().get("/collections").status_code == 302  # log in first


def test_create_from_the_form_and_refusal(alice):
    client = logged_in(alice)
    assert client.get("/collections/new").status_code == 200
    response = client.post("/collections", {"name": "Diffusion", "visibility": "public"})
    made = Collection.objects.get(owner=alice)
    assert response.status_code == 302 and response.url == f"/collections/{made.pk}-diffusion"
    bad = client.post("/collections", {"name": "x", "visibility": "everyone"})
    assert bad.status_code == 400 and "visibility must be one of" in bad.content.decode()


def test_page_shows_cards_in_order_with_rendered_notes(alice, bob, group):
    html = Client().get(url(group, "-reading-group")).content.decode()
    assert html.index("paper-250300001") < html.index("paper-250300002")
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in html and "<strong>matters</strong>" in html
    assert "Add a note" not in html and "Delete this collection" not in html  # a visitor
    assert 'type="application/rss+xml"' in html
    assert (
        logged_in(alice)
        .get(url(group, "-reading-group"))
        .content.decode()
        .count("Delete this collection")
    )
    assert Client().get(url(group)).url == url(group, "-reading-group")  # bare id: canonical
    assert Client().get(url(group, "-old-name")).status_code == 302


def test_page_json_twin(group):
    data = Client().get(url(group, "-reading-group") + "?format=json").json()
    assert [i["paper"] for i in data["items"]] == [P1, P2]
    assert data["items"][0]["note"] == "Why: $x^2$ **matters**"
    assert data["items"][0]["title"] == "KV Cache Compression for Long-Context LLMs"


def test_private_is_404_to_others(alice, bob, group):
    col.update(alice, group.pk, visibility="private")
    assert Client().get(url(group, "-reading-group")).status_code == 404
    assert logged_in(bob).get(url(group, "-reading-group")).status_code == 404
    assert Client().get(url(group, ".rss")).status_code == 404
    assert logged_in(alice).get(url(group, "-reading-group")).status_code == 200


def test_note_inline_with_htmx(alice, group):
    client = logged_in(alice)
    response = client.post(
        url(group, "/note"), {"paper": P2, "note": "see $\\alpha$"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div class="note-block"')
    assert "<mi>α</mi>" in html and "Note saved." in html
    too_long = client.post(
        url(group, "/note"), {"paper": P2, "note": "x" * 10_001}, HTTP_HX_REQUEST="true"
    )
    assert too_long.status_code == 400 and "limit is 10,000" in too_long.content.decode()


def test_move_remove_by_editor_and_not_by_visitor(alice, bob, group):
    visitor = logged_in(bob)
    refused = visitor.post(url(group, "/move"), {"paper": P2, "direction": "up"})
    assert refused.status_code == 403 and "only the owner and the collaborators" in (
        refused.content.decode()
    )
    collaborators.invite(alice, group.pk, "bob")
    visitor.post(url(group, "/answer"), {"answer": "accept"})
    assert visitor.post(url(group, "/move"), {"paper": P2, "direction": "up"}).status_code == 302
    assert [i.paper_id for i in col.items_of(group)] == [P2, P1]
    visitor.post(url(group, "/remove"), {"paper": P1})
    assert [i.paper_id for i in col.items_of(group)] == [P2]
    assert visitor.post(url(group, "/delete")).status_code == 403  # only the owner
    assert visitor.post(url(group, "/edit"), {"name": "mine"}).status_code == 403


def test_owner_edits_invites_and_deletes(alice, bob, group):
    client = logged_in(alice)
    client.post(url(group, "/edit"), {"name": "Renamed", "visibility": "public"})
    group.refresh_from_db()
    assert (group.name, group.slug, group.visibility) == ("Renamed", "renamed", "public")
    assert "Renamed" in Client().get("/collections/public").content.decode()
    assert "Renamed" in Client().get("/users/alice").content.decode()  # on her profile
    response = client.post(url(group, "/invite"), {"username": "nobody"}, follow=True)
    assert response.status_code == 404 and "No user called" in response.content.decode()
    client.post(url(group, "/invite"), {"username": "bob"})
    assert "invites you to edit" in logged_in(bob).get("/collections").content.decode()
    client.post(url(group, "/delete"))
    assert not Collection.objects.exists() and not CollectionItem.objects.exists()


def test_changes_need_post_and_csrf(alice, group):
    assert logged_in(alice).get(url(group, "/remove")).status_code == 405
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.post(url(group, "/remove"), {"paper": P1}).status_code == 403
    assert CollectionItem.objects.count() == 2


def test_public_list_json_and_bad_page(alice, group):
    col.update(alice, group.pk, visibility="public")
    data = Client().get("/collections/public?format=json").json()
    assert data["total"] == 1 and data["collections"][0]["n_items"] == 2
    assert Client().get("/collections/public?page=x").status_code == 400


@override_settings(PAPERFEED_LIMIT_INVITE="1/h/user")
def test_invitations_are_rate_limited(alice, bob, carol, group):
    client = logged_in(alice)
    assert client.post(url(group, "/invite"), {"username": "bob"}).status_code == 302
    refused = client.post(url(group, "/invite"), {"username": "carol"})
    assert refused.status_code == 429 and "Too many invitations to collections" in (
        refused.content.decode()
    )
    assert [m.user for m in collaborators.members_of(group)] == [bob]

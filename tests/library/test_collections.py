"""The collections core: create/rename/delete, Save, order, notes, collaborators, and who may
see or change what (every case of the rights table)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from paperfeed.library import collaborators
from paperfeed.library import collections as col
from paperfeed.library.models import Collection, CollectionItem, CollectionMember

P1, P2, P3 = "2503.00001", "2503.00002", "2503.00003"


def order(collection) -> list[str]:
    return [item.paper_id for item in col.items_of(collection)]


def test_create_rename_slugs_and_limits(alice, bob):
    a = col.create(alice, "  Reading   group ", description="weekly")
    assert (a.name, a.slug, a.visibility) == ("Reading group", "reading-group", "private")
    b = col.create(alice, "Reading group!")
    assert b.slug == "reading-group-2"  # unique per owner
    assert col.create(bob, "Reading group").slug == "reading-group"  # another owner's
    assert col.create(alice, "∑∑").slug == "collection"
    col.update(alice, b.pk, name="Other", visibility="public", description="d")
    b.refresh_from_db()
    assert (b.name, b.slug, b.visibility, b.description) == ("Other", "other", "public", "d")
    with pytest.raises(col.CollectionError, match="the name is empty"):
        col.create(alice, "   ")
    with pytest.raises(col.CollectionError, match="limit is 200"):
        col.create(alice, "x" * 201)
    with pytest.raises(col.CollectionError, match="visibility must be one of"):
        col.update(alice, a.pk, visibility="secret")
    with pytest.raises(col.Forbidden, match="log in"):
        col.create(AnonymousUser(), "x")


def test_at_most_max_collections(alice, monkeypatch):
    monkeypatch.setattr(col, "MAX_COLLECTIONS", 2)
    col.create(alice, "one")
    col.create(alice, "two")
    with pytest.raises(col.CollectionError, match="you have 2 collections, the limit"):
        col.create(alice, "three")


def test_save_makes_read_later_once_and_keeps_order(alice, papers):
    item, new = col.save(alice, P2)
    assert new and item.collection.is_default and item.collection.name == "Read later"
    assert col.save(alice, P2) == (item, False)  # saving twice is one item
    col.save(alice, P1)
    assert Collection.objects.filter(owner=alice).count() == 1
    assert order(item.collection) == [P2, P1]
    with pytest.raises(col.NotFound, match="no paper 'nope'"):
        col.save(alice, "nope")


def test_items_move_reorder_remove(alice, papers):
    c = col.create(alice, "list")
    for p in (P1, P2, P3):
        col.add(alice, c.pk, p)
    assert col.move(alice, c.pk, P3, "up") is True
    assert order(c) == [P1, P3, P2]
    assert col.move(alice, c.pk, P1, "up") is False  # already first
    col.move(alice, c.pk, P1, "down")
    assert order(c) == [P3, P1, P2]
    col.reorder(alice, c.pk, [P2, P1, P3])
    assert order(c) == [P2, P1, P3]
    with pytest.raises(col.CollectionError, match="missing 2503.00003"):
        col.reorder(alice, c.pk, [P2, P1])
    with pytest.raises(col.CollectionError, match="names a paper twice"):
        col.reorder(alice, c.pk, [P2, P2, P1])
    with pytest.raises(col.CollectionError, match="direction must be up or down"):
        col.move(alice, c.pk, P1, "left")
    assert col.remove(alice, c.pk, P1) is True
    assert col.remove(alice, c.pk, P1) is False
    assert order(c) == [P2, P3]


def test_ties_from_concurrent_adds_are_renumbered_before_a_move(alice, papers):
    c = col.create(alice, "list")
    for p in (P1, P2, P3):
        col.add(alice, c.pk, p)
    CollectionItem.objects.filter(collection=c).update(position=0)
    col.move(alice, c.pk, P3, "up")
    assert order(c) == [P1, P3, P2]


def test_item_limit(alice, papers, monkeypatch):
    monkeypatch.setattr(col, "MAX_ITEMS", 1)
    c = col.create(alice, "small")
    col.add(alice, c.pk, P1)
    with pytest.raises(col.CollectionError, match="holds 1 papers, the limit"):
        col.add(alice, c.pk, P2)


def test_note_is_sanitised_markdown_with_math(alice, papers):
    c = col.create(alice, "notes")
    col.add(alice, c.pk, P1)
    item = col.set_note(alice, c.pk, P1, "**Key** idea: $x^2$ <script>alert(1)</script>\r\n")
    assert item.note == "**Key** idea: $x^2$ <script>alert(1)</script>"
    assert "<strong>Key</strong>" in item.note_html
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in item.note_html
    assert "<script>" not in item.note_html and "&lt;script&gt;" in item.note_html
    with pytest.raises(col.CollectionError, match="the note is 10,001 characters; the limit"):
        col.set_note(alice, c.pk, P1, "x" * 10_001)
    with pytest.raises(col.NotFound, match="'2503.00002' is not in “notes”"):
        col.set_note(alice, c.pk, P2, "hi")
    assert col.set_note(alice, c.pk, P1, "").note_html == ""


# -- rights ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "who", "view", "edit", "own"),
    [
        ("private", "owner", True, True, True),
        ("private", "editor", True, True, False),
        ("private", "invited", False, False, False),
        ("private", "stranger", False, False, False),
        ("private", "anonymous", False, False, False),
        ("unlisted", "stranger", True, False, False),
        ("unlisted", "anonymous", True, False, False),
        ("unlisted", "editor", True, True, False),
        ("public", "stranger", True, False, False),
        ("public", "anonymous", True, False, False),
        ("public", "owner", True, True, True),
    ],
)
def test_rights(alice, bob, carol, papers, visibility, who, view, edit, own):
    c = col.create(alice, "group", visibility=visibility)
    collaborators.invite(alice, c.pk, "bob")
    collaborators.accept(bob, c.pk)
    collaborators.invite(alice, c.pk, "carol")  # not accepted
    from django.contrib.auth import get_user_model

    users = {
        "owner": alice,
        "editor": bob,
        "invited": carol,
        "stranger": get_user_model().objects.create_user("dave"),
        "anonymous": AnonymousUser(),
    }
    user = users[who]
    assert col.rights(user, c) == col.Rights(view, edit, own)
    if not view:
        with pytest.raises(col.NotFound, match=f"no collection {c.pk}"):
            col.get_visible(user, c.pk)
        with pytest.raises(col.CollectionError):
            col.add(user, c.pk, P1)
    elif not edit:
        with pytest.raises(col.Forbidden):
            col.add(user, c.pk, P1)
    else:
        assert col.add(user, c.pk, P1)[1] is True
        assert col.set_note(user, c.pk, P1, "n").note == "n"
        assert col.remove(user, c.pk, P1) is True
    if not own:
        with pytest.raises(col.CollectionError):
            col.update(user, c.pk, name="mine now")
        with pytest.raises(col.CollectionError):
            col.delete(user, c.pk)
        with pytest.raises(col.CollectionError):
            collaborators.invite(user, c.pk, "dave" if who != "stranger" else "bob")
        assert Collection.objects.get(pk=c.pk).name == "group"


def test_invitations_accept_decline_leave(alice, bob, carol, papers):
    c = col.create(alice, "group")
    collaborators.invite(alice, c.pk, "bob")
    assert [m.collection for m in collaborators.invitations_of(bob)] == [c]
    assert col.collections_of(bob) == []
    with pytest.raises(col.CollectionError, match="bob is already invited"):
        collaborators.invite(alice, c.pk, "bob")
    with pytest.raises(col.NotFound, match="no user called 'nobody'"):
        collaborators.invite(alice, c.pk, "nobody")
    with pytest.raises(col.CollectionError, match="you own this collection already"):
        collaborators.invite(alice, c.pk, "alice")
    collaborators.accept(bob, c.pk)
    collaborators.accept(bob, c.pk)  # twice is once
    assert collaborators.invitations_of(bob) == [] and col.collections_of(bob) == [c]
    col.add(bob, c.pk, P1)
    assert CollectionItem.objects.get().added_by == bob
    collaborators.decline(bob, c.pk)  # leave
    assert col.collections_of(bob) == []
    with pytest.raises(col.NotFound, match="no invitation"):
        collaborators.accept(carol, c.pk)
    collaborators.invite(alice, c.pk, "carol")
    assert collaborators.remove_member(alice, c.pk, "carol") is True
    assert not CollectionMember.objects.exists()


def test_listing_public_and_unlisted(alice, bob, papers):
    pub = col.create(alice, "shared", visibility="public")
    col.create(alice, "link only", visibility="unlisted")
    col.create(alice, "mine")
    col.add(alice, pub.pk, P1)
    assert [c.name for c in col.public_of(alice)] == ["shared"]
    listed, total = col.public_collections()
    assert total == 1 and listed[0].n_items == 1
    bob.is_active = False
    bob.save()
    assert col.collections_of(bob) == []
    with pytest.raises(col.Forbidden, match="deactivated"):
        col.create(bob, "x")


def test_saved_paper_ids_and_hidden_papers(alice, papers):
    from paperfeed.papers.models import Paper

    col.save(alice, P1)
    col.save(alice, P2)
    assert col.saved_paper_ids(alice, [P1, P3]) == {P1}
    Paper.objects.filter(pk=P2).update(hidden=True)
    assert order(col.read_later(alice)) == [P1]


def test_read_later_is_listed_first_then_by_name(alice, papers):
    col.create(alice, "Alpha")
    col.save(alice, "2503.00001")
    col.create(alice, "Zeta")
    assert [c.name for c in col.collections_of(alice)] == ["Read later", "Alpha", "Zeta"]

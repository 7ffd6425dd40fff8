"""The moderators' collection pages: listed, opened with items and members, made private."""

from __future__ import annotations

from paperfeed.library import collaborators
from paperfeed.library import collections as col
from paperfeed.library.models import Collection


def test_moderator_sees_and_unshares_a_collection(staff, alice, bob, papers):
    c = col.create(alice, "Shared", visibility="public")
    col.add(alice, c.pk, "2503.00001")
    col.set_note(alice, c.pk, "2503.00001", "a note")
    collaborators.invite(alice, c.pk, "bob")
    assert "Shared" in staff.get("/admin/library/collection/").content.decode()
    page = staff.get(f"/admin/library/collection/{c.pk}/change/").content.decode()
    assert "a note" in page and "bob" in page
    response = staff.post(
        f"/admin/library/collection/{c.pk}/change/",
        {
            "visibility": "private",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "1",
            "items-0-id": str(c.items.get().pk),
            "items-0-collection": str(c.pk),
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "1",
            "members-0-id": str(c.members.get().pk),
            "members-0-collection": str(c.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    c.refresh_from_db()
    assert (c.visibility, c.name, c.items.get().note) == ("private", "Shared", "a note")
    assert Collection.objects.count() == 1

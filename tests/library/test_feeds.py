"""RSS/Atom of an unlisted or public collection: the last added first, notes as text; none for a
private collection; control characters never reach the XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from django.test import Client

from paperfeed.library import collections as col

P1, P2 = "2503.00001", "2503.00002"


def test_feeds_of_a_shared_collection(alice, papers):
    c = col.create(alice, "Shared", visibility="unlisted")
    col.add(alice, c.pk, P1)
    col.add(alice, c.pk, P2)
    col.set_note(alice, c.pk, P1, "Read the \x07 appendix")
    rss = Client().get(f"/collections/{c.pk}.rss")
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(rss.content).find("channel")
    assert channel.findtext("title") == "paperfeed: Shared (a collection of alice)"
    items = channel.findall("item")
    assert [i.findtext("title") for i in items][1].startswith("KV Cache")  # last added first
    assert "Note: Read the  appendix" in items[1].findtext("description")
    atom = Client().get(f"/collections/{c.pk}.atom")
    assert atom.status_code == 200 and b"<feed" in atom.content


def test_private_collection_has_no_feed(alice, papers):
    c = col.create(alice, "Mine")
    assert Client().get(f"/collections/{c.pk}.rss").status_code == 404
    assert Client().get("/collections/999.atom").status_code == 404

"""Search hides the signed-in user's muted papers, says how many, and shows them on request."""

import re

import pytest

from paperfeed.personal import mutes
from paperfeed.search.sync import sync_indexes

from .conftest import make_user, record, store

pytestmark = pytest.mark.django_db


def ids_in(html: str) -> list[str]:
    return re.findall(r'<span class="id">arXiv:([^<]+)</span>', html)


@pytest.fixture
def indexed(data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"  # no model download, no vectors: lexical
    store(
        record(
            "2025-03-18", arxiv_id="2503.00001", title="KV cache for vision", categories=("cs.CV",)
        ),
        record(
            "2025-03-18", arxiv_id="2503.00002", title="KV cache for text", categories=("cs.CL",)
        ),
        record(
            "2025-03-18", arxiv_id="2503.00003", title="KV cache in video", categories=("cs.CV",)
        ),
    )
    sync_indexes(progress=False)


def test_muted_results_are_counted_and_one_click_away(client, indexed):
    alice = make_user("alice")
    mutes.add_mute(alice, "category", "cs.CV")
    client.force_login(alice)
    html = client.get("/search", {"q": "kv cache", "mode": "lexical"}).content.decode()
    assert ids_in(html) == ["2503.00002"]
    assert "2 on this page hidden by your" in html
    link = re.search(r'<a class="show-muted" href="([^"]+)">show them</a>', html).group(1)
    assert "muted=show" in link and "q=kv+cache" in link
    shown = client.get("/search" + link.replace("&amp;", "&")).content.decode()
    assert sorted(ids_in(shown)) == ["2503.00001", "2503.00002", "2503.00003"]
    assert "hidden by your" not in shown


def test_anonymous_and_unmuted_users_see_no_note(client, indexed):
    html = client.get("/search", {"q": "kv cache", "mode": "lexical"}).content.decode()
    assert len(ids_in(html)) == 3 and "hidden by your" not in html
    client.force_login(make_user("bob"))
    html = client.get("/search", {"q": "kv cache", "mode": "lexical"}).content.decode()
    assert len(ids_in(html)) == 3 and "hidden by your" not in html

"""POST/DELETE /api/v1/papers/{id}/vote and the users' lists."""

from __future__ import annotations

import pytest

from paperfeed.community.models import Vote
from paperfeed.community.votes import set_vote
from paperfeed.papers.models import Paper

pytestmark = pytest.mark.django_db


def test_upvote_is_idempotent_and_delete_takes_it_back(alice_api, papers, bob):
    set_vote(bob, "2503.00001", True)
    response = alice_api.post("/api/v1/papers/2503.00001/vote")
    assert response.status_code == 200
    assert response.json() == {"id": "2503.00001", "voted": True, "upvotes": 2}
    assert alice_api.post("/api/v1/papers/2503.00001/vote").json()["upvotes"] == 2
    assert Paper.objects.get(pk="2503.00001").upvotes == 2
    assert alice_api.delete("/api/v1/papers/2503.00001/vote").json() == {
        "id": "2503.00001",
        "voted": False,
        "upvotes": 1,
    }
    assert alice_api.delete("/api/v1/papers/2503.00001/vote").json()["upvotes"] == 1
    assert Vote.objects.filter(paper_id="2503.00001").count() == 1


def test_old_style_ids_unknown_and_deleted_papers(alice_api, papers):
    response = alice_api.post("/api/v1/papers/cs/9809007/vote")
    assert response.status_code == 200 and response.json()["id"] == "cs/9809007"
    assert alice_api.post("/api/v1/papers/2501.09999/vote").status_code == 404
    Paper.objects.filter(pk="2503.00002").update(deleted=True)
    assert alice_api.post("/api/v1/papers/2503.00002/vote").status_code == 404
    assert alice_api.post("/api/v1/papers/no-such-id/vote").status_code == 400


def test_get_on_the_vote_url_changes_nothing(alice_api, papers):
    assert alice_api.get("/api/v1/papers/2503.00001/vote").status_code == 405
    assert not Vote.objects.exists()

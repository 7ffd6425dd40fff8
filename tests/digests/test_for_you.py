"""The "For you" page and GET /api/v1/for-you: the digest's ridge recommendations over the newest
14 feed days, with reasons; liked and disliked papers excluded; an empty state; auth."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from paperfeed.community.models import Vote
from paperfeed.digests import feedback, foryou
from paperfeed.digests.models import Subscriber
from paperfeed.ingest.jsonl import parse as parse_jsonl
from paperfeed.ingest.upsert import ingest
from paperfeed.search import embedding_job
from paperfeed.search.encoders import load_encoder
from paperfeed.search.sync import sync_indexes
from tests.community.factories import logged_in, make_user

pytestmark = pytest.mark.django_db

GRAPHS = "Graph neural networks for molecules: message passing over molecule graphs and atoms."
ROBOTS = "Legged robot locomotion: policies for legged robots walking on rough terrain."
PAPERS = [  # id, title, abstract, category, feed day
    ("2505.00001", "Graph neural networks for molecules", GRAPHS, "cs.LG", "2025-05-01"),
    ("2505.00002", "Molecule graphs with message passing", GRAPHS, "cs.LG", "2025-05-02"),
    ("2505.00003", "Legged robots that walk", ROBOTS, "cs.RO", "2025-05-03"),
    ("2506.00001", "Message passing graph networks for molecule properties", GRAPHS, "cs.LG",
     "2025-06-02"),
    ("2506.00002", "Neural message passing on molecule graphs", GRAPHS, "cs.LG", "2025-06-03"),
    ("2506.00003", "Equivariant graph networks over atoms", GRAPHS, "cs.LG", "2025-06-04"),
    ("2506.00004", "Legged robot locomotion policies", ROBOTS, "cs.RO", "2025-06-05"),
    ("2506.00005", "Robots walking on legs", ROBOTS, "cs.RO", "2025-06-08"),
]  # fmt: skip
RECENT = {p[0] for p in PAPERS if p[4] >= "2025-05-26"}  # 14 feed days up to 2025-06-08
GRAPH_RECENT = {"2506.00001", "2506.00002", "2506.00003"}


@pytest.fixture
def store(settings, data_home):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:256"
    lines = "".join(
        json.dumps(
            {"id": i, "title": t, "abstract": a, "authors": ["A. Author"], "categories": [c],
             "listed": d}
        ) + "\n"
        for i, t, a, c, d in PAPERS
    )  # fmt: skip
    ingest(parse_jsonl(io.BytesIO(lines.encode()), "t"))
    embedding_job.embed_missing(load_encoder())
    sync_indexes(progress=False)
    return data_home


def graph_fan():
    user = make_user()
    for pid in ("2505.00001", "2505.00002"):
        Vote.objects.create(user=user, paper_id=pid)
    return user


def ids(found) -> list[str]:
    return [item.paper.pk for item in found.items]


def test_ranks_papers_similar_to_the_upvoted_ones_and_says_why(store):
    found = foryou.for_you(graph_fan())
    assert (found.first_day.isoformat(), found.last_day.isoformat()) == ("2025-05-26", "2025-06-08")
    assert found.liked == 2
    assert set(ids(found)[:3]) == GRAPH_RECENT
    assert set(ids(found)) <= RECENT  # nothing older, nothing upvoted
    why = found.items[0].why
    assert why.startswith('similar to "') and why.endswith("which you upvoted")
    assert why.split('"')[1] in {"Graph neural networks for molecules",
                                 "Molecule graphs with message passing"}  # fmt: skip


def test_less_like_this_excludes_and_more_like_this_counts_as_liked(store):
    user = graph_fan()
    feedback.set_feedback(user, "2506.00001", feedback.LESS)
    assert "2506.00001" not in ids(foryou.for_you(user))
    robot_fan = make_user()
    feedback.set_feedback(robot_fan, "2505.00003", feedback.MORE)
    found = foryou.for_you(robot_fan)
    assert set(ids(found)[:2]) == {"2506.00004", "2506.00005"}
    assert found.items[0].why.endswith("which you wanted more of")


def test_cold_start_from_subscription_categories(store):
    user = make_user()
    Subscriber.objects.create(email="cold@example.org", user=user, categories="cs.RO")
    found = foryou.for_you(user)
    assert [s.title for s in found.sections] == ["New in cs.RO"]
    assert set(ids(found)) == {"2506.00004", "2506.00005"}


def test_nothing_without_signals_or_papers(store, db):
    assert foryou.for_you(make_user()).items == []


def test_page_lists_recommendations_with_feedback_buttons(store):
    user = graph_fan()
    feedback.set_feedback(user, "2506.00003", feedback.MORE)
    page = logged_in(user).get("/for-you").content.decode()
    assert "Recommended for you" in page and "which you upvoted" in page
    assert "Neural message passing on molecule graphs" in page
    assert 'action="/papers/2506.00002/feedback"' in page
    assert 'href="/for-you" aria-current="page"' in page  # nav link for the logged-in user
    assert 'href="/subscribe"' in page


def test_page_empty_state_and_login_required(store):
    page = logged_in(make_user()).get("/for-you").content.decode()
    assert "No recommendations yet" in page and "upvote papers" in page
    assert "More like this" in page and 'href="/subscribe"' in page
    anonymous = Client().get("/for-you")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert 'href="/for-you"' not in Client().get("/").content.decode()

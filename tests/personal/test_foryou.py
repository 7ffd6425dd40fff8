"""The for-you order of one member (paperfeed.personal.foryou): likes, dislikes, onboarding
marks, followed authors, categories, organisations and searches each move the papers they should,
with the reasons a card shows; signed-out and profile-less members get the community order;
papers without vectors, no search index and no query encoder are handled; bounded queries."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from paperfeed import rankings
from paperfeed.community.models import Vote
from paperfeed.digests.models import Feedback
from paperfeed.ingest.jsonl import parse as parse_jsonl
from paperfeed.ingest.upsert import ingest
from paperfeed.papers.models import Author
from paperfeed.personal import foryou
from paperfeed.personal.models import Follow
from paperfeed.search import embedding_job, hybrid
from paperfeed.search.encoders import load_encoder
from paperfeed.search.models import Embedding
from paperfeed.signals.models import PaperSignals
from tests.community.factories import make_user

pytestmark = pytest.mark.django_db

GRAPHS = "Graph neural networks for molecules: message passing over molecule graphs and atoms."
ROBOTS = "Legged robot locomotion: policies for legged robots walking on rough terrain."
DECODE = "Speculative decoding drafts tokens with a small model and verifies them with a large one."
PROTEIN = "Protein structure prediction with folding models trained on sequences."
VISION = "Image segmentation of street scenes with convolutional backbones."
DAY = "2025-06-02"
PAPERS = [  # id, title, abstract, categories, authors, listed
    ("2505.00001", "Graph neural networks for molecules", GRAPHS, ["cs.LG"], ["A. Graph"], "2025-05-01"),
    ("2505.00002", "Legged robots that walk", ROBOTS, ["cs.RO"], ["B. Robot"], "2025-05-02"),
    ("2506.00001", "Message passing on molecule graphs", GRAPHS, ["cs.LG"], ["C. Graph"], DAY),
    ("2506.00002", "Equivariant graph networks over atoms", GRAPHS, ["cs.LG"], ["D. Graph"], DAY),
    ("2506.00003", "Legged robot locomotion policies", ROBOTS, ["cs.RO"], ["E. Robot"], DAY),
    ("2506.00004", "Faster inference by speculative decoding", DECODE, ["cs.CL"], ["F. Text"], DAY),
    ("2506.00005", "Folding proteins", PROTEIN, ["q-bio.BM", "cs.CE"], ["Yann LeCun"], DAY),
    ("2506.00006", "Segmenting street scenes", VISION, ["cs.CV"], ["G. Seg"], DAY),
    ("2506.00007", "Street scenes at night", VISION, ["cs.CV"], ["H. Seg"], DAY),
]  # fmt: skip
CANDIDATES = [p[0] for p in PAPERS if p[5] == DAY]
NOW = dt.datetime(2025, 6, 2, 18, tzinfo=dt.UTC)


@pytest.fixture
def store(settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:256"
    foryou.forget_shared()
    lines = "".join(
        json.dumps({"id": i, "title": t, "abstract": a, "authors": au, "categories": c,
                    "listed": d}) + "\n"
        for i, t, a, c, au, d in PAPERS
    )  # fmt: skip
    ingest(parse_jsonl(io.BytesIO(lines.encode()), "t"))
    embedding_job.embed_missing(load_encoder())
    yield
    foryou.forget_shared()


def rows(hf: dict[str, int] | None = None) -> list[rankings.Row]:
    day = dt.date.fromisoformat(DAY)
    return [rankings.Row(pid, feed_day=day, hf_upvotes=(hf or {}).get(pid)) for pid in CANDIDATES]


def ranked(order: foryou.PersonalOrder) -> list[str]:
    return sorted(order.scores, key=lambda pid: (-order.scores[pid], pid))


def test_an_upvoted_paper_brings_similar_papers_first_and_says_so(store):
    user = make_user()
    Vote.objects.create(user=user, paper_id="2505.00001")
    order = foryou.order_papers(user, rows(), NOW)
    assert set(order.scores) == set(CANDIDATES)
    assert set(ranked(order)[:2]) == {"2506.00001", "2506.00002"}
    assert order.why["2506.00001"][0] == "like a paper you upvoted"


def test_onboarding_marks_count_as_likes_and_a_dislike_sends_its_kind_last(store):
    user = make_user()
    Feedback.objects.create(user=user, paper_id="2505.00001", signal=1)
    Feedback.objects.create(user=user, paper_id="2505.00002", signal=-1)
    order = foryou.order_papers(user, rows(), NOW)
    assert set(ranked(order)[:2]) == {"2506.00001", "2506.00002"}
    assert ranked(order)[-1] == "2506.00003"  # the robots the user wanted less of
    assert order.why["2506.00002"][0] == "like a paper you marked"


def test_a_followed_author_comes_first_by_name(store):
    user = make_user()
    lecun = Author.objects.get(name="Yann LeCun")
    Follow.objects.create(user=user, kind=Follow.AUTHOR, value=str(lecun.pk), label="Yann LeCun")
    order = foryou.order_papers(user, rows(), NOW)
    assert ranked(order)[0] == "2506.00005"
    assert order.why["2506.00005"] == ["you follow Yann LeCun"]
    assert order.why["2506.00001"] == []


def test_a_followed_category_and_its_archive_prefix(store):
    user = make_user()
    Follow.objects.create(user=user, kind=Follow.CATEGORY, value="cs.RO")
    order = foryou.order_papers(user, rows(), NOW)
    assert ranked(order)[0] == "2506.00003"
    assert order.why["2506.00003"] == ["you follow cs.RO"]
    other = make_user()
    Follow.objects.create(user=other, kind=Follow.CATEGORY, value="q-bio")
    order = foryou.order_papers(other, rows(), NOW)
    assert ranked(order)[0] == "2506.00005"  # q-bio.BM is under q-bio
    assert order.why["2506.00005"] == ["you follow q-bio"]


def test_a_saved_search_matches_lexically_and_by_meaning(store):
    user = make_user()
    Follow.objects.create(user=user, kind=Follow.SEARCH, value="speculative decoding")
    order = foryou.order_papers(user, rows(), NOW)
    assert ranked(order)[0] == "2506.00004"
    assert order.why["2506.00004"][0] == 'matches your saved search "speculative decoding"'


def test_a_topic_without_a_query_encoder_still_matches_its_words(store, monkeypatch):
    monkeypatch.setattr(hybrid, "embed_query", lambda text: None)
    user = make_user()
    Follow.objects.create(user=user, kind=Follow.SEARCH, value="legged robots")
    order = foryou.order_papers(user, rows(), NOW)
    assert ranked(order)[0] == "2506.00003"
    assert order.why["2506.00003"] == ['matches your saved search "legged robots"']


def test_a_followed_organisation(store):
    PaperSignals.objects.create(paper_id="2506.00006", org_name="meta", org_fullname="Meta AI")
    user = make_user()
    Follow.objects.create(user=user, kind=Follow.ORG, value="meta", label="Meta AI")
    order = foryou.order_papers(user, rows(), NOW)
    assert ranked(order)[0] == "2506.00006"
    assert order.why["2506.00006"] == ["you follow Meta AI"]


def test_signed_out_and_profile_less_members_get_the_community_order(store):
    hf = {"2506.00007": 50, "2506.00002": 5}
    for user in (None, make_user()):
        order = foryou.order_papers(user, rows(hf), NOW)
        assert ranked(order)[:2] == ["2506.00007", "2506.00002"]
        assert len({order.scores[p] for p in CANDIDATES if p not in hf}) == 1  # no signal: tie
        assert order.why["2506.00007"] == ["popular now"]
        assert order.why["2506.00002"] == []


def test_the_community_score_orders_papers_the_profile_likes_equally(store):
    user = make_user()
    Follow.objects.create(user=user, kind=Follow.CATEGORY, value="cs.CV")
    order = foryou.order_papers(user, rows({"2506.00007": 3}), NOW)
    assert ranked(order)[:2] == ["2506.00007", "2506.00006"]
    assert order.why["2506.00007"] == ["you follow cs.CV", "popular now"]


def test_papers_without_vectors_are_still_ordered_by_follows(store):
    Embedding.objects.filter(paper_id__in=["2506.00003", "2505.00001"]).delete()
    user = make_user()
    Vote.objects.create(user=user, paper_id="2505.00001")  # liked, but no vector
    Follow.objects.create(user=user, kind=Follow.CATEGORY, value="cs.RO")
    order = foryou.order_papers(user, rows(), NOW)
    assert set(order.scores) == set(CANDIDATES)
    assert ranked(order)[0] == "2506.00003"  # no vector, but in the followed category


def test_no_vectors_at_all(store):
    Embedding.objects.all().delete()
    user = make_user()
    Vote.objects.create(user=user, paper_id="2505.00001")
    Follow.objects.create(user=user, kind=Follow.SEARCH, value="street scenes")
    order = foryou.order_papers(user, rows(), NOW)
    assert set(ranked(order)[:2]) == {"2506.00006", "2506.00007"}


def test_empty_rows():
    assert foryou.order_papers(None, [], NOW) == foryou.PersonalOrder()


def test_has_profile_and_is_strong(store):
    user = make_user()
    assert not foryou.has_profile(None) and not foryou.is_strong(None)
    assert not foryou.has_profile(user)
    Feedback.objects.create(user=user, paper_id="2505.00002", signal=-1)
    assert not foryou.has_profile(user)  # a dislike alone personalises nothing
    for category in ("cs.LG", "cs.CL", "cs.RO"):
        Follow.objects.create(user=user, kind=Follow.CATEGORY, value=category)
    assert foryou.has_profile(user)
    assert not foryou.is_strong(user)  # categories alone
    Vote.objects.create(user=user, paper_id="2505.00001")
    assert foryou.is_strong(user)
    fan = make_user()
    for pid in ("2505.00001", "2505.00002"):
        Vote.objects.create(user=fan, paper_id=pid)
    assert foryou.has_profile(fan) and not foryou.is_strong(fan)
    Follow.objects.create(user=fan, kind=Follow.SEARCH, value="graphs")
    assert foryou.is_strong(fan)


def test_a_full_profile_costs_a_bounded_number_of_queries(store, django_assert_max_num_queries):
    user = make_user()
    Vote.objects.create(user=user, paper_id="2505.00001")
    Feedback.objects.create(user=user, paper_id="2505.00002", signal=-1)
    lecun = Author.objects.get(name="Yann LeCun")
    Follow.objects.create(user=user, kind=Follow.AUTHOR, value=str(lecun.pk), label="Yann LeCun")
    Follow.objects.create(user=user, kind=Follow.CATEGORY, value="cs.CL")
    Follow.objects.create(user=user, kind=Follow.ORG, value="meta")
    Follow.objects.create(user=user, kind=Follow.SEARCH, value="street scenes")
    foryou.order_papers(user, rows(), NOW)  # warms the background cache
    # votes, feedback, follows, vectors, newest vector id, papers, authorships, signals
    with django_assert_max_num_queries(8):
        order = foryou.order_papers(user, rows(), NOW)
    top = ranked(order)
    assert set(top[:3]) == {"2506.00005", "2506.00006", "2506.00007"}  # author, saved search
    # one upvoted paper is weak evidence (relevance.like_share: 1/6 of the like weight): the
    # followed category's paper comes before the papers like it, which still say why
    assert top[3] == "2506.00004"
    assert set(top[4:6]) == {"2506.00001", "2506.00002"}
    assert order.why["2506.00001"] == ["like a paper you upvoted"]
    assert top[-1] == "2506.00003"  # like the paper the member wanted less of

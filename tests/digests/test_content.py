"""content.build_digest / build_all on a small store: sections, reasons, exclusions, batching."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from paperfeed.community.models import Vote
from paperfeed.digests import content, gather
from paperfeed.digests.models import DigestSend, Feedback, MailedPaper, SavedSearch, Subscriber
from paperfeed.ingest.jsonl import parse as parse_jsonl
from paperfeed.ingest.upsert import ingest
from paperfeed.papers.models import Paper
from paperfeed.search import IndexMissing, embedding_job
from paperfeed.search.encoders import load_encoder
from paperfeed.search.models import Embedding
from paperfeed.search.sync import sync_indexes
from tests.community.factories import make_user

pytestmark = pytest.mark.django_db

UTC = dt.UTC
START = dt.datetime(2025, 6, 2, 7, tzinfo=UTC)  # Monday 07:00 UTC
END = dt.datetime(2025, 6, 9, 7, tzinfo=UTC)  # feed days 2025-06-02 .. 2025-06-08

PAPERS = [
    # liked earlier
    (
        "2505.00001",
        "Graph neural networks for molecules",
        "Message passing over molecules.",
        "cs.LG",
        "2025-05-01",
    ),
    (
        "2505.00002",
        "Molecule graphs with neural message passing",
        "Graph networks on atoms.",
        "cs.LG",
        "2025-05-02",
    ),
    (
        "2505.00003",
        "Equivariant graph neural networks for molecules",
        "Atoms and bonds graphs.",
        "cs.LG",
        "2025-05-03",
    ),
    (
        "2505.00004",
        "Legged robot locomotion",
        "Policies for legged robots walking.",
        "cs.RO",
        "2025-05-04",
    ),
    # the period
    (
        "2506.00001",
        "Graph neural networks predict molecule properties",
        "Message passing graph networks for molecules.",
        "cs.LG",
        "2025-06-02",
    ),
    (
        "2506.00002",
        "Neural message passing on molecule graphs",
        "Graph neural networks over atoms.",
        "cs.LG",
        "2025-06-03",
    ),
    (
        "2506.00003",
        "Legged robot locomotion policies",
        "Robots walking on legs.",
        "cs.RO",
        "2025-06-04",
    ),
    (
        "2506.00004",
        "Speech recognition with acoustic models",
        "Speech in many languages.",
        "cs.CL",
        "2025-06-05",
    ),
    (
        "2506.00005",
        "KV cache offloading for LLM inference",
        "Offloading the kv cache to CPU.",
        "cs.CL",
        "2025-06-06",
    ),
    (
        "2506.00006",
        "Image segmentation with transformers",
        "Pixels and masks.",
        "cs.CV",
        "2025-06-08",
    ),
    # the next period
    (
        "2506.00007",
        "Graph neural networks for molecule generation",
        "Molecules from graphs.",
        "cs.LG",
        "2025-06-09",
    ),
]
LIKED = ["2505.00001", "2505.00002", "2505.00003"]
PERIOD = {p[0] for p in PAPERS if "2025-06-02" <= p[4] <= "2025-06-08"}


@pytest.fixture
def store(settings, data_home):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:256"
    lines = "".join(
        json.dumps(
            {
                "id": i,
                "title": t,
                "abstract": a,
                "authors": ["A. Author"],
                "categories": [c],
                "listed": d,
            }
        )
        + "\n"
        for i, t, a, c, d in PAPERS
    )
    ingest(parse_jsonl(io.BytesIO(lines.encode()), "t"))
    embedding_job.embed_missing(load_encoder())
    sync_indexes(progress=False)
    Paper.objects.filter(pk="2506.00005").update(upvotes=5)
    Paper.objects.filter(pk="2506.00004").update(upvotes=2)
    return data_home


def subscriber(email, *, user=None, **fields) -> Subscriber:
    defaults = {"status": "active", "frequency": "weekly", "top_n": 0, "send_hour": 7}
    return Subscriber.objects.create(email=email, user=user, **{**defaults, **fields})


def fan(user):
    for pid in LIKED:
        Vote.objects.create(user=user, paper_id=pid)
    return user


def section(digest, title):
    found = [s for s in digest.sections if s.title == title]
    return found[0] if found else None


def ids(sec):
    return [item.paper.pk for item in sec.items] if sec else []


def test_period_days_tile_time_and_reject_bad_periods():
    assert gather.period_days(START, END) == (dt.date(2025, 6, 2), dt.date(2025, 6, 8))
    paris = dt.datetime(2025, 6, 3, 7, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert gather.period_days(START, paris) == (dt.date(2025, 6, 2), dt.date(2025, 6, 2))
    with pytest.raises(ValueError, match="not after"):
        gather.period_days(END, START)
    with pytest.raises(ValueError, match="timezone-aware"):
        gather.period_days(dt.datetime(2025, 6, 2), END)


def test_recommendations_rank_the_liked_topic_and_say_why(store):
    sub = subscriber("fan@example.org", user=fan(make_user()))
    digest = content.build_digest(sub, START, END)
    assert digest.period_key == "weekly:2025-W24"
    recs = section(digest, "Recommended for you")
    assert set(ids(recs)[:2]) == {"2506.00001", "2506.00002"}
    assert set(ids(recs)) <= PERIOD  # nothing outside the period, nothing liked
    first = recs.items[0]
    assert first.why.startswith('similar to "') and first.why.endswith("which you upvoted")
    liked_titles = {p[1] for p in PAPERS if p[0] in LIKED}
    assert first.why.split('"')[1] in liked_titles


def test_no_recommendations_when_switched_off_or_without_signals(store):
    off = subscriber("off@example.org", user=fan(make_user()), recommendations=False, top_n=3)
    cold = subscriber("cold@example.org", user=make_user(), top_n=3)
    for sub in (off, cold):
        digest = content.build_digest(sub, START, END)
        assert section(digest, "Recommended for you") is None
        assert len(ids(section(digest, "Trending"))) == 3


def test_less_like_this_overrides_an_upvote_and_is_never_mailed(store):
    user = fan(make_user())
    Vote.objects.create(user=user, paper_id="2506.00003")
    Feedback.objects.create(user=user, paper_id="2506.00003", signal=-1)
    sub = subscriber("picky@example.org", user=user, top_n=10)
    signals = gather.load_signals([sub])[sub.pk]
    assert "2506.00003" in signals.disliked and "2506.00003" not in signals.liked
    assert "2506.00003" not in {p.pk for p in content.build_digest(sub, START, END).papers}


def test_more_like_this_from_an_email_link_makes_a_profile(store):
    sub = subscriber("anon@example.org")
    Feedback.objects.create(subscriber=sub, paper_id="2505.00004", signal=1)
    recs = section(content.build_digest(sub, START, END), "Recommended for you")
    assert ids(recs)[0] == "2506.00003"
    assert recs.items[0].why == 'similar to "Legged robot locomotion", which you wanted more of'


def test_mailed_papers_are_never_included_again(store):
    sub = subscriber("again@example.org", user=fan(make_user()), top_n=10)
    send = DigestSend.objects.create(subscriber=sub, period_key="weekly:2025-W23")
    MailedPaper.objects.create(subscriber=sub, paper_id="2506.00001", digest=send)
    papers = {p.pk for p in content.build_digest(sub, START, END).papers}
    assert "2506.00001" not in papers
    assert papers == PERIOD - {"2506.00001"}  # everything else of the period, once


def test_alerts_match_saved_searches_in_the_period(store):
    sub = subscriber("alert@example.org", top_n=3)
    SavedSearch.objects.create(subscriber=sub, query="kv cache offloading")
    SavedSearch.objects.create(subscriber=sub, query="graph neural molecules")
    digest = content.build_digest(sub, START, END)
    assert [s.title for s in digest.sections][:2] == [
        "Alert: kv cache offloading",
        "Alert: graph neural molecules",
    ]
    kv = section(digest, "Alert: kv cache offloading")
    assert ids(kv)[0] == "2506.00005"
    assert kv.items[0].why.startswith('matches your alert "kv cache offloading"')
    graph = ids(section(digest, "Alert: graph neural molecules"))
    assert {"2506.00001", "2506.00002"} <= set(graph) and set(graph) <= PERIOD
    trending = ids(section(digest, "Trending"))
    assert "2506.00005" not in trending  # shown once, in the first section that has it
    assert len(digest.papers) == sum(len(s.items) for s in digest.sections)


def test_categories_are_the_cold_start_in_trending_order(store):
    sub = subscriber("cl@example.org", categories="cs.CL cs.CV")
    digest = content.build_digest(sub, START, END)
    new = section(digest, "New in cs.CL, cs.CV")
    assert ids(new) == ["2506.00005", "2506.00004", "2506.00006"]
    assert [i.why for i in new.items] == ["new in cs.CL", "new in cs.CL", "new in cs.CV"]


def test_trending_is_ranked_by_votes_and_says_so(store):
    sub = subscriber("top@example.org", top_n=2)
    trending = section(content.build_digest(sub, START, END), "Trending")
    assert ids(trending) == ["2506.00005", "2506.00004"]
    assert trending.items[0].why == "trending with 5 upvotes"


def test_build_all_in_small_chunks_equals_one_at_a_time(store, monkeypatch):
    subs = [
        subscriber("a@example.org", user=fan(make_user()), top_n=2, categories="cs.CL"),
        subscriber("b@example.org", top_n=4),
        subscriber("c@example.org", user=make_user(), categories="cs.RO cs.LG", top_n=1),
    ]
    SavedSearch.objects.create(subscriber=subs[1], query="speech recognition")
    alone = [content.build_digest(s, START, END) for s in subs]
    monkeypatch.setattr(content, "CELLS_PER_CHUNK", 7)  # one subscriber per chunk
    together = content.build_all(subs, START, END)

    def shape(digest):
        return [(s.title, [(i.paper.pk, i.why) for i in s.items]) for s in digest.sections]

    assert [shape(d) for d in together] == [shape(d) for d in alone]
    assert [d.subscriber.pk for d in together] == [s.pk for s in subs]


def test_an_empty_period_gives_empty_digests(store):
    sub = subscriber("empty@example.org", user=fan(make_user()), top_n=5, categories="cs.LG")
    start = dt.datetime(2024, 1, 1, 7, tzinfo=UTC)
    digest = content.build_digest(sub, start, start + dt.timedelta(days=1))
    assert digest.is_empty and digest.period_key == "weekly:2024-W01"


def test_a_paper_without_a_vector_is_not_recommended_but_still_listed(store):
    Embedding.objects.filter(paper_id="2506.00001").delete()
    sub = subscriber("novec@example.org", user=fan(make_user()), top_n=10)
    digest = content.build_digest(sub, START, END)
    assert "2506.00001" not in ids(section(digest, "Recommended for you"))
    assert "2506.00001" in ids(section(digest, "Trending"))


def test_without_a_search_index_alerts_are_skipped_not_fatal(store, monkeypatch):
    def missing(*args, **kwargs):
        raise IndexMissing("no index")

    monkeypatch.setattr(gather, "search", missing)
    sub = subscriber("noindex@example.org", top_n=1)
    SavedSearch.objects.create(subscriber=sub, query="speech recognition")
    digest = content.build_digest(sub, START, END)
    assert [s.title for s in digest.sections] == ["Trending"]


def test_cold_start_from_saved_searches_makes_recommendations(store):
    sub = subscriber("newbie@example.org", user=make_user())
    SavedSearch.objects.create(subscriber=sub, query="legged robot")
    digest = content.build_digest(sub, START, END)
    alert = ids(section(digest, "Alert: legged robot"))
    assert alert == ["2506.00003"]
    recs = section(digest, "Recommended for you")
    assert recs is not None and "2506.00003" not in ids(recs)
    assert set(ids(recs)) <= PERIOD
    assert recs.items[0].why == (
        'similar to "Legged robot locomotion", which matches your alert "legged robot"'
    )
    off = subscriber("nocold@example.org", recommendations=False)
    SavedSearch.objects.create(subscriber=off, query="legged robot")
    assert section(content.build_digest(off, START, END), "Recommended for you") is None


def test_seen_papers_are_left_out_when_the_account_hides_them(store):
    from paperfeed.personal import preferences, seen

    user = make_user()
    seen.mark_opened(user, "2506.00005")  # the period's most upvoted: trending's first
    sub = subscriber("seen@example.org", user=user, top_n=5)
    assert ids(section(content.build_digest(sub, START, END), "Trending"))[0] == "2506.00005"
    preferences.set_seen(user, "hide")
    trending = ids(section(content.build_digest(sub, START, END), "Trending"))
    assert "2506.00005" not in trending and trending[0] == "2506.00004"

"""HF's signal fields in the Hugging Face-compatible API, where HF puts them (compared with a
recorded HF entry), omitted when absent, and exposed unchanged by the real ``huggingface_hub``
client; the same signals in the native ``/api/v1`` paper shape."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from paperfeed.community.models import Submission
from paperfeed.signals import store as signal_store
from paperfeed.signals.models import PaperSignals
from tests.api.conftest import DAY, store
from tests.conftest import shared_file

pytestmark = pytest.mark.django_db
HF_DAY = "2026-06-12"
FIELDS = ("projectPage", "githubRepo", "githubStars", "ai_summary", "ai_keywords")


@pytest.fixture
def recorded():
    """HF's first entry of 2026-06-12 (2606.13681, EvoArena: every signal field), stored as a
    paper with the signals HF gave, mapped field by field."""
    path = shared_file("fixtures", "signals", "hf-daily-papers", f"date-{HF_DAY}.json")
    entry = json.loads(path.read_text())[0]
    paper = entry["paper"]
    store(
        {
            "id": paper["id"],
            "title": paper["title"],
            "abstract": paper["summary"],
            "authors": [a["name"] for a in paper["authors"]],
            "categories": ["cs.CL"],
            "listed": HF_DAY,
        }
    )
    org = paper["organization"]
    signal_store.save_signals(
        {
            paper["id"]: {
                "hf_upvotes": paper["upvotes"],
                "hf_day": dt.date.fromisoformat(paper["submittedOnDailyAt"][:10]),
                "hf_submitted_by": paper["submittedOnDailyBy"]["user"],
                "hf_comments": entry["numComments"],
                "ai_summary": paper["ai_summary"],
                "ai_keywords": paper["ai_keywords"],
                "project_page": paper["projectPage"],
                "org_name": org["name"],
                "org_fullname": org["fullname"],
                "org_avatar": org["avatar"],
            }
        }
    )
    name = paper["githubRepo"].removeprefix("https://github.com/")
    signal_store.link_repositories({paper["id"]: [("github", name)]}, "hf")
    day = dt.date.fromisoformat(HF_DAY)
    signal_store.reported_stars({("github", name): paper["githubStars"]}, day, "hf")
    return entry


def test_signals_sit_where_hf_puts_them_and_at_the_top_level(client, recorded):
    body = client.get("/api/daily_papers", {"date": HF_DAY}).json()
    (entry,) = body
    hf_paper = recorded["paper"]
    for key in FIELDS:
        assert entry["paper"][key] == hf_paper[key], key
        assert entry[key] == hf_paper[key], key  # where huggingface_hub's PaperInfo reads them
    org = {k: recorded["organization"][k] for k in ("name", "fullname", "avatar")}
    assert entry["organization"] == entry["paper"]["organization"] == org
    by = entry["paper"]["submittedOnDailyBy"]  # nobody submitted it here: HF's submitter
    assert by["user"] == by["name"] == hf_paper["submittedOnDailyBy"]["user"]
    assert by["_id"] == f"hf:{by['user']}" and entry["submittedBy"] == by
    assert isinstance(entry["githubStars"], int) and isinstance(entry["ai_keywords"], list)


def test_paper_info_is_flat_with_the_signals(client, recorded):
    body = client.get(f"/api/papers/{recorded['paper']['id']}").json()
    for key in FIELDS:
        assert body[key] == recorded["paper"][key], key
    assert body["organization"]["name"] == "MIT"


def test_absent_signals_are_omitted_not_null(client, papers):
    PaperSignals.objects.create(paper_id="2503.00001", tldr="S2 only: no HF field.")
    signal_store.link_repositories({"2503.00002": [("gitlab", "group/project")]}, "arxiv")
    body = client.get("/api/daily_papers", {"date": DAY}).json()
    hf_keys = {*FIELDS, "organization"}
    for entry in body:
        assert not hf_keys & set(entry) and not hf_keys & set(entry["paper"]), entry["paper"]["id"]
        assert entry["submittedBy"] is None  # nobody, here or on HF: null, as before
    flat = client.get("/api/papers/2503.00002").json()
    assert "githubRepo" not in flat  # a GitLab project is no githubRepo


def test_a_local_submitter_wins_over_hf(client, recorded, alice):
    Submission.objects.create(paper_id=recorded["paper"]["id"], user=alice)
    (entry,) = client.get("/api/daily_papers", {"date": HF_DAY}).json()
    assert entry["submittedBy"]["user"] == entry["paper"]["submittedOnDailyBy"]["user"] == "alice"


def test_signals_cost_no_query(client, recorded, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):  # the budget of test_hf.py's lists
        assert len(client.get("/api/daily_papers", {"date": HF_DAY}).json()) == 1


@pytest.mark.django_db(transaction=True)
def test_huggingface_hub_exposes_the_signals_unchanged(hf_client, recorded):
    hf_paper = recorded["paper"]
    (listed,) = hf_client.list_daily_papers(date=HF_DAY)
    single = hf_client.paper_info(hf_paper["id"])
    for info in (listed, single):
        assert info.id == hf_paper["id"]
        assert info.github_repo == hf_paper["githubRepo"]
        assert info.github_stars == hf_paper["githubStars"]
        assert info.ai_summary == hf_paper["ai_summary"]
        assert info.ai_keywords == hf_paper["ai_keywords"]
        assert info.project_page == hf_paper["projectPage"]
        assert info.organization.name == "MIT"
        assert info.organization.fullname == "Massachusetts Institute of Technology"
        assert info.organization.avatar == hf_paper["organization"]["avatar"]
    assert listed.submitted_by.username == hf_paper["submittedOnDailyBy"]["user"]


def test_native_paper_shape_carries_the_signals(client, recorded):
    body = client.get(f"/api/v1/papers/{recorded['paper']['id']}").json()
    signals = body["signals"]
    assert signals["hf_upvotes"] == recorded["paper"]["upvotes"]
    assert signals["hf_day"] == HF_DAY
    assert signals["hf_url"] == f"https://huggingface.co/papers/{recorded['paper']['id']}"
    assert signals["code_url"] == recorded["paper"]["githubRepo"] and signals["has_code"]
    assert signals["stars"] == recorded["paper"]["githubStars"]
    assert signals["stars_gained_week"] is None  # one snapshot: no history yet, not 0
    assert signals["organization"]["fullname"] == "Massachusetts Institute of Technology"
    assert signals["tldr"] is None and signals["citations"] is None and signals["venue"] is None


def test_native_signals_null_when_none_spoke(client, papers):
    assert client.get("/api/v1/papers/2503.00001").json()["signals"] is None
    PaperSignals.objects.create(paper_id="2503.00001", citations=0, venue="ICML 2025")
    signals = client.get("/api/v1/papers/2503.00001").json()["signals"]
    assert signals["citations"] == 0 and signals["venue"] == "ICML 2025"  # a known zero stays
    assert signals["hf_upvotes"] is None and signals["ai_summary"] is None
    assert signals["ai_keywords"] == [] and signals["organization"] is None
    daily = client.get("/api/v1/feeds/daily", {"date": DAY}).json()
    assert {p["id"]: p["signals"] is not None for p in daily["items"]}["2503.00001"]

"""``fetch hf`` against the recorded daily papers served on 127.0.0.1: paging, --since and its
resume, reruns that change nothing, a later snapshot that does, and every way HF can fail."""

from __future__ import annotations

import datetime as dt
import doctest

import pytest

from paperfeed.papers.models import Paper
from paperfeed.signals import fetching, state
from paperfeed.signals.http import RateLimited, SourceFailed
from paperfeed.signals.models import PaperRepository, PaperSignals, Repository, StarSnapshot
from paperfeed.signals.sources import hf as hf_source
from tests.community.factories import make_paper
from tests.ingest import arxiv_server
from tests.ingest.arxiv_server import HANG_UP, Reply
from tests.ingest.documents import hf_entry
from tests.signals import hf_server, server
from tests.signals.hf_server import (
    HF,
    LATER,
    PATH,
    W24,
    day,
    expected_from,
    requested_days,
    serve_day,
    stored,
)
from tests.signals.server import json_reply, recorded

pytestmark = [pytest.mark.django_db, pytest.mark.network]
JUNE_12 = dt.date(2026, 6, 12)
MSA = "github:minimax-ai/msa"
service, fake_time, fast_client = server.service, arxiv_server.fake_time, hf_server.fast_client


def run(service, **options) -> fetching.Report:
    return fetching.run("hf", fetching.Options(base_url=service.url, **options))


def signals(paper_id: str) -> PaperSignals:
    return PaperSignals.objects.get(pk=paper_id)


def wipe() -> None:
    PaperSignals.objects.all().delete()
    Repository.objects.all().delete()
    Paper.objects.all().delete()


def comparable(tables: dict[str, list]) -> dict[str, list]:
    """``tables`` without what differs between two equal runs (row ids, write times)."""
    for table in ("papers", "signals", "repositories"):
        for row in tables[table]:
            for key in ("id", "created_at", "updated_at", "hf_fetched_at"):
                row.pop(key, None)
    return tables


def test_doctests():
    assert doctest.testmod(hf_source).failed == 0


def test_one_day_is_paged_until_a_short_page(service, monkeypatch):
    monkeypatch.setattr(hf_source, "PAGE_SIZE", 20)
    service.route(PATH, {"p": "0"}, recorded(HF, "date-2026-06-12.p0.limit20.json"))
    service.route(PATH, {"p": "1"}, recorded(HF, "date-2026-06-12.p1.limit20.json"))
    report = run(service, date=JUNE_12, today=JUNE_12)
    assert service.params(PATH) == [
        {"date": "2026-06-12", "limit": "20", "p": "0"},
        {"date": "2026-06-12", "limit": "20", "p": "1"},
    ]  # 15 < 20 on page 1: no page 2
    assert report.requests == 2 and report.notices == []
    counts = report.counts
    assert (counts["days"], counts["entries"], counts["papers_added"]) == (1, 35, 35)
    assert (counts["rejected"], counts["fields_ignored"]) == (0, 0)
    # new rows, or rows the arXiv-text code links of the same batch made first
    assert counts["signals_new"] + counts["signals_changed"] == 35
    row = signals("2606.13392")
    assert (row.hf_upvotes, row.hf_day, row.hf_comments) == (52, JUNE_12, 1)
    assert (row.hf_submitted_by, row.org_name, row.stars, row.has_code) == (
        "ryanlee-dev",
        "MiniMaxAI",
        145,
        True,
    )
    assert row.code_url == "https://github.com/MiniMax-AI/MSA"
    assert row.hf_fetched_at is not None and row.project_page == ""
    assert StarSnapshot.objects.get(repository__key=MSA).day == JUNE_12
    paper = Paper.objects.get(pk="2606.13392")
    assert (paper.listed, paper.feed_day, paper.source) == (JUNE_12, JUNE_12, "hf-daily")
    assert state.cursor("hf") == {}  # --date keeps no cursor


def test_paged_and_unpaged_store_the_same(service, monkeypatch):
    serve_day(service, "2026-06-12")
    run(service, date=JUNE_12, today=JUNE_12)
    whole = comparable(stored())
    wipe()
    monkeypatch.setattr(hf_source, "PAGE_SIZE", 20)
    service.route(PATH, {"p": "0"}, recorded(HF, "date-2026-06-12.p0.limit20.json"))
    service.route(PATH, {"p": "1"}, recorded(HF, "date-2026-06-12.p1.limit20.json"))
    run(service, date=JUNE_12, today=JUNE_12)
    assert comparable(stored()) == whole


def test_a_full_last_page_asks_for_the_next_one(service, monkeypatch):
    monkeypatch.setattr(hf_source, "PAGE_SIZE", 20)
    service.route(PATH, {"p": "0"}, recorded(HF, "date-2026-06-12.p0.limit20.json"))
    service.route(PATH, {"p": "1"}, recorded(HF, "date-2026-06-12.p2.limit20.json"))  # []
    report = run(service, date=JUNE_12, today=JUNE_12)
    assert (report.requests, report.counts["entries"]) == (2, 20)


def test_a_server_that_ignores_the_page_stops_paging(service, monkeypatch):
    monkeypatch.setattr(hf_source, "PAGE_SIZE", 20)
    service.route(PATH, {}, recorded(HF, "date-2026-06-12.p0.limit20.json"))
    messages = []
    report = fetching.run(
        "hf",
        fetching.Options(base_url=service.url, date=JUNE_12, today=JUNE_12),
        notify=messages.append,
    )
    assert report.requests == 2 and report.counts["entries"] == 20
    assert messages == ["hf 2026-06-12: page 1 repeats earlier papers (p ignored?): stopped paging"]


def test_since_fetches_every_day_and_a_rerun_changes_nothing(service):
    for text in W24:
        serve_day(service, text)
    first = run(service, since=day(W24[0]), today=JUNE_12)
    assert requested_days(service) == W24
    expected = expected_from([f"date-{d}.json" for d in W24])
    assert first.counts["days"] == 5 and first.counts["entries"] == 168
    assert first.counts["papers_added"] == Paper.objects.count() == len(expected["upvotes"])
    assert dict(PaperSignals.objects.values_list("pk", "hf_upvotes")) == expected["upvotes"]
    links = set(PaperRepository.objects.values_list("paper_id", "repository__key"))
    assert links >= expected["links"]  # HF's githubRepo; the abstracts may name more
    snapshots = dict(StarSnapshot.objects.values_list("repository__key", "stars"))
    assert snapshots == expected["stars"]
    assert set(StarSnapshot.objects.values_list("day", flat=True)) == {JUNE_12}  # fetch day
    assert state.cursor("hf") == {}  # complete: nothing to resume
    before = stored()
    again = run(service, since=day(W24[0]), today=JUNE_12)
    assert stored() == before
    assert requested_days(service) == W24 * 2
    changed = {k: v for k, v in again.counts.items() if k not in ("days", "entries")}
    assert changed == {
        "papers_added": 0,
        "papers_updated": 0,
        "rejected": 0,
        "fields_ignored": 0,
        "signals_new": 0,
        "signals_changed": 0,
        "signals_unchanged": 168,
        "repositories_linked": 0,
        "star_snapshots_changed": 0,
    }


def test_the_default_is_the_last_three_days_and_a_later_snapshot_updates(service):
    serve_day(service, "2026-06-12")
    run(service, date=JUNE_12, today=JUNE_12)
    first_fetch = signals("2606.13289").hf_fetched_at
    serve_day(service, "2026-06-11")
    serve_day(service, "2026-06-12", recorded(HF, LATER))
    serve_day(service, "2026-06-13", json_reply([]))
    report = run(service, today=JUNE_12 + dt.timedelta(days=1))
    assert requested_days(service)[1:] == ["2026-06-11", "2026-06-12", "2026-06-13"]
    assert report.counts["days"] == 3
    # the later snapshot: 21 papers seen before, every one moved, and 9 new; the 11th: 29 new
    # (a row the batch's arXiv-text code links made first counts as changed, not new)
    counts = report.counts
    assert counts["signals_new"] + counts["signals_changed"] == 21 + 9 + 29
    assert counts["signals_unchanged"] == 0
    assert signals("2606.13289").hf_upvotes == 25  # 21 on the 12th
    assert signals("2606.13289").hf_comments == 2
    assert signals("2606.13289").hf_fetched_at > first_fetch
    history = list(
        StarSnapshot.objects.filter(repository__key=MSA).values_list("day", "stars", "source")
    )
    assert history == [(JUNE_12, 145, "hf"), (JUNE_12 + dt.timedelta(days=1), 251, "hf")]
    row = signals("2606.13392")
    assert (row.stars, row.stars_gained_week) == (251, 106)


def test_a_stored_arxiv_paper_keeps_its_text_and_listing_day(service):
    make_paper(
        "2606.13392",
        title="MSA: $\\mathcal{O}(n)$ attention",
        day=dt.date(2026, 6, 11),
        abstract_raw="With $\\textit{LaTeX}$.",
        title_raw="MSA: $\\mathcal{O}(n)$ attention",
    )
    before = Paper.objects.values().get(pk="2606.13392")
    serve_day(service, "2026-06-12")
    report = run(service, date=JUNE_12, today=JUNE_12)
    assert report.counts["papers_added"] == 34 and report.counts["papers_updated"] == 0
    after = Paper.objects.values().get(pk="2606.13392")
    assert after == before  # HF's LaTeX-free copy fills nothing and overrides nothing
    assert signals("2606.13392").hf_day == JUNE_12  # but the HF list day is its signal


def test_killed_midway_the_rerun_resumes_and_nothing_is_lost_or_doubled(service, fast_client):
    serve_day(service, W24[0])
    serve_day(service, W24[1], HANG_UP)
    with pytest.raises(SourceFailed, match="gave up after 4 tries"):
        run(service, since=day(W24[0]), today=JUNE_12)
    assert state.cursor("hf") == {"since": W24[0], "done": W24[0]}
    assert Paper.objects.count() == 31  # day 1 is stored, day 2 not at all
    assert state.get("hf").last_summary["days"] == 1
    for text in W24[1:]:
        serve_day(service, text)
    messages: list[str] = []
    before = len(service.requests)
    fetching.run(
        "hf",
        fetching.Options(base_url=service.url, since=day(W24[0]), today=JUNE_12),
        notify=messages.append,
    )
    assert requested_days(service)[before - len(service.requests) :] == W24[1:]
    assert messages == [f"hf: resuming --since {W24[0]} after {W24[0]} (stored by an earlier run)"]
    expected = expected_from([f"date-{d}.json" for d in W24])
    assert dict(PaperSignals.objects.values_list("pk", "hf_upvotes")) == expected["upvotes"]
    assert StarSnapshot.objects.count() == len(expected["stars"])
    assert state.cursor("hf") == {}
    resumed = comparable(stored())
    wipe()
    run(service, since=day(W24[0]), today=JUNE_12)
    assert resumed == comparable(stored())  # the same as one clean run


def test_a_rate_limit_pauses_the_source_and_the_next_run_asks_nothing(service):
    serve_day(
        service, "2026-06-12", json_reply({"error": "slow down"}, 429, [("Retry-After", "120")])
    )
    with pytest.raises(RateLimited) as caught:
        run(service, date=JUNE_12, today=JUNE_12)
    assert "rate limited (HTTP 429)" in str(caught.value) and service.url in str(caught.value)
    assert state.paused_until("hf") is not None
    asked = len(service.requests)
    with pytest.raises(fetching.Paused, match="paused by a rate limit until .* nothing requested"):
        run(service, date=JUNE_12, today=JUNE_12)
    assert len(service.requests) == asked == 1


@pytest.mark.parametrize(
    "reply, problem",
    [
        (
            Reply(
                body=b'[{"paper": {"id": "2606.1', headers=[("Content-Type", "application/json")]
            ),
            "the JSON is cut short or broken",
        ),
        (
            Reply(
                body=b"<!doctype html><title>Hugging Face</title>",
                headers=[("Content-Type", "text/html")],
            ),
            "answered HTML instead of JSON (text/html)",
        ),
        (json_reply({"error": "Invalid date"}), "Hugging Face answered an error: Invalid date"),
        (json_reply({"papers": []}), "expected a JSON array of daily papers, got a JSON dict"),
        (json_reply([], 404), "HTTP 404: no daily papers here"),
    ],
)
def test_a_bad_page_stops_the_run_naming_what_was_wrong_and_keeps_earlier_days(
    service, reply, problem
):
    serve_day(service, W24[0])
    serve_day(service, W24[1], reply)
    with pytest.raises(SourceFailed) as caught:
        run(service, since=day(W24[0]), today=JUNE_12)
    message = str(caught.value)
    assert message.startswith("hf: ") and problem in message
    assert f"{service.url}{PATH}?date={W24[1]}" in message
    assert Paper.objects.count() == 31 and state.cursor("hf")["done"] == W24[0]
    assert "Invalid date" in state.get("hf").last_error or problem in state.get("hf").last_error


def test_unreadable_entries_are_reported_not_fatal(service):
    no_id = hf_entry(listed="2026-06-12T00:00:00.000Z")
    del no_id["paper"]["id"]
    elsewhere = hf_entry("2606.00002", listed="2026-06-11T00:00:00.000Z")
    odd = hf_entry("2606.00003", listed="2026-06-12T00:00:00.000Z")
    odd["paper"]["upvotes"] = "lots"
    serve_day(service, "2026-06-12", json_reply([no_id, elsewhere, odd, 7]))
    report = run(service, date=JUNE_12, today=JUNE_12)
    assert report.notices == [
        "rejected hf 2026-06-12 page 0 entry 1: record has no arXiv id",
        "hf 2026-06-12 page 0 entry 3: 2606.00003: paper.upvotes 'lots' is not a count: left out",
        "rejected hf 2026-06-12 page 0 entry 4: expected a JSON object, got int",
        "hf 2026-06-12: 1 entries are listed on 2026-06-11",
    ]
    assert (report.counts["rejected"], report.counts["papers_added"]) == (2, 2)
    assert signals("2606.00003").hf_upvotes is None
    assert signals("2606.00002").hf_day == dt.date(2026, 6, 11)


def test_what_cannot_be_fetched_is_refused_before_any_request(service):
    for options in (
        {"date": JUNE_12 + dt.timedelta(days=1)},
        {"since": JUNE_12 + dt.timedelta(days=2)},
        {"limit": 5},
        {"ids": ["2606.13392"]},
    ):
        with pytest.raises(ValueError):
            run(service, today=JUNE_12, **options)
    assert service.requests == []

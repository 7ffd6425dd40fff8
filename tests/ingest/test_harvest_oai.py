"""OAI-PMH harvesting against a local server: token chains, errors, checkpoints, resuming."""

from __future__ import annotations

import datetime as dt

import pytest

from paperfeed.ingest.harvest import Client, HarvestError, harvest_set, page_datestamps
from paperfeed.ingest.models import HarvestCheckpoint
from paperfeed.papers.models import Authorship, Paper
from tests.ingest.arxiv_server import (
    CHAIN_IDS,
    FIRST,
    HANG_UP,
    OAI,
    TOKEN1,
    TOKEN2,
    own_reply,
    serve_chain,
    shared_reply,
)

JAN1, JAN4 = dt.date(2025, 1, 1), dt.date(2025, 1, 4)

pytestmark = [pytest.mark.django_db, pytest.mark.network]


def harvest(arxiv, fake_time, **kwargs):
    kwargs.setdefault("from_date", JAN1)
    kwargs.setdefault("until_date", JAN4)
    client = Client(delay=0, sleep=fake_time.sleep, clock=fake_time.clock)
    return harvest_set("cs", base_url=arxiv.url + OAI, client=client, **kwargs)


def store_snapshot() -> dict:
    """Every stored paper field and author list, without the row timestamps."""
    papers = {p["arxiv_id"]: p for p in Paper.objects.values().order_by("arxiv_id")}
    for paper in papers.values():
        paper.pop("created_at"), paper.pop("updated_at")
    for paper_id, name, position in Authorship.objects.order_by("paper_id", "position").values_list(
        "paper_id", "author__name", "position"
    ):
        papers[paper_id].setdefault("authors", []).append((position, name))
    return papers


def test_recorded_503_then_records_are_stored(arxiv, fake_time):
    arxiv.route(
        OAI,
        {"verb": "ListRecords"},
        shared_reply("oai-pmh", "list-records-503.html", status=503),
        shared_reply("oai-pmh", "list-records.xml"),
    )
    summary = harvest(
        arxiv, fake_time, from_date=dt.date(2015, 1, 1), until_date=dt.date(2015, 1, 3)
    )
    assert fake_time.sleeps == [10.0]
    assert (summary.new, summary.pages, summary.requests, summary.retries) == (2, 1, 2, 1)
    paper = Paper.objects.get(arxiv_id="1412.8544")
    assert paper.title == "A Kochen-Specker system has at least 22 vectors (extended abstract)"
    assert paper.doi == "10.4204/EPTCS.172.11"
    assert (
        arxiv.params()
        == [
            {
                "verb": "ListRecords",
                "metadataPrefix": "arXiv",
                "set": "cs",
                "from": "2015-01-01",
                "until": "2015-01-03",
            }
        ]
        * 2
    )
    checkpoint = HarvestCheckpoint.objects.get()
    assert checkpoint.status == HarvestCheckpoint.DONE and checkpoint.finished_at is not None
    assert checkpoint.last_datestamp == dt.date(2015, 1, 3) and checkpoint.records == 2


def test_three_page_chain_sends_only_the_token_after_page_one(arxiv, fake_time):
    serve_chain(arxiv)
    counted = []
    summary = harvest(arxiv, fake_time, on_records=counted.append)
    assert arxiv.params() == [FIRST, TOKEN1, TOKEN2]
    assert (summary.new, summary.pages, summary.requests, summary.retries) == (5, 3, 3, 0)
    assert sum(counted) == 5
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == CHAIN_IDS
    checkpoint = HarvestCheckpoint.objects.get()
    assert (checkpoint.pages_done, checkpoint.records, checkpoint.resumption_token) == (3, 5, "")
    assert checkpoint.last_datestamp == dt.date(2025, 1, 4)
    assert checkpoint.status == HarvestCheckpoint.DONE


def test_no_records_match_is_nothing_to_do(arxiv, fake_time):
    arxiv.route(OAI, {"metadataPrefix": "arXiv"}, own_reply("no-records-match.xml"))
    summary = harvest(
        arxiv, fake_time, from_date=dt.date(2025, 2, 1), until_date=dt.date(2025, 2, 2)
    )
    assert (summary.new, summary.pages, summary.requests) == (0, 0, 1)
    assert any("nothing to do" in n for n in summary.notices)
    assert HarvestCheckpoint.objects.get().status == HarvestCheckpoint.DONE
    assert Paper.objects.count() == 0


def test_bad_resumption_token_restarts_from_the_last_datestamp(arxiv, fake_time):
    serve_chain(arxiv, page2=[own_reply("bad-resumption-token.xml")])
    arxiv.route(
        OAI,
        {"metadataPrefix": "arXiv", "from": "2025-01-02"},
        own_reply("restart-from-2025-01-02.xml"),
    )
    notices = []
    summary = harvest(arxiv, fake_time, notify=notices.append)
    assert arxiv.params() == [FIRST, TOKEN1, {**FIRST, "from": "2025-01-02"}]
    assert any("restarting the list from 2025-01-02" in n for n in notices)
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == CHAIN_IDS
    assert summary.new == 5 and summary.unchanged == 2  # page 1 came again: harmless
    assert HarvestCheckpoint.objects.get().status == HarvestCheckpoint.DONE


def test_a_token_refused_again_and_again_is_an_error(arxiv, fake_time):
    serve_chain(arxiv, page2=[own_reply("bad-resumption-token.xml")])
    arxiv.route(
        OAI, {"metadataPrefix": "arXiv", "from": "2025-01-02"}, own_reply("chain-page-1.xml")
    )
    with pytest.raises(HarvestError, match="resumption token refused 4 times"):
        harvest(arxiv, fake_time)
    assert HarvestCheckpoint.objects.get().status == HarvestCheckpoint.RUNNING


def test_other_oai_errors_fail_with_the_code_and_keep_the_checkpoint(arxiv, fake_time):
    arxiv.route(OAI, {"metadataPrefix": "arXiv"}, own_reply("bad-argument.xml"))
    with pytest.raises(HarvestError, match="OAI-PMH error badArgument .*Illegal argument: bogus"):
        harvest(arxiv, fake_time)
    checkpoint = HarvestCheckpoint.objects.get()
    assert checkpoint.status == HarvestCheckpoint.RUNNING and "badArgument" in checkpoint.message


def test_a_page_that_is_not_oai_pmh_is_a_harvest_error(arxiv, fake_time):
    arxiv.route(
        OAI,
        {"metadataPrefix": "arXiv"},
        shared_reply("arxiv-api", "query_all-science_10-entries.xml"),
    )
    with pytest.raises(HarvestError, match="unreadable OAI-PMH response"):
        harvest(arxiv, fake_time)


def test_deleted_record_and_record_updated_to_a_new_version(arxiv, fake_time):
    serve_chain(arxiv)
    harvest(arxiv, fake_time)
    arxiv.route(
        OAI, {"metadataPrefix": "arXiv", "from": "2025-01-04"}, own_reply("deleted-and-updated.xml")
    )
    summary = harvest(arxiv, fake_time, from_date=None, until_date=dt.date(2025, 1, 21))
    assert arxiv.params()[-1] == {**FIRST, "from": "2025-01-04", "until": "2025-01-21"}
    assert (summary.new, summary.updated, summary.deleted) == (0, 1, 1)
    assert Paper.objects.get(arxiv_id="2501.00002").deleted is True
    updated = Paper.objects.get(arxiv_id="2501.00001")
    assert updated.title == "Learning to Rank Papers, Second Version"
    assert updated.updated == dt.date(2025, 1, 20) and updated.published == dt.date(2025, 1, 1)
    assert list(
        updated.authorships.order_by("position").values_list("author__name", flat=True)
    ) == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]


def test_killed_mid_way_resumes_with_the_saved_token_and_equals_a_clean_run(arxiv, fake_time):
    serve_chain(arxiv, page2=[HANG_UP])
    with pytest.raises(HarvestError, match="gave up on .*resumptionToken"):
        harvest(arxiv, fake_time)
    checkpoint = HarvestCheckpoint.objects.get()
    assert checkpoint.status == HarvestCheckpoint.RUNNING
    assert (checkpoint.resumption_token, checkpoint.pages_done) == ("6146342|1001", 1)
    assert Paper.objects.count() == 2
    before = len(arxiv.requests)
    serve_chain(arxiv)  # the server is back
    notices = []
    summary = harvest(arxiv, fake_time, from_date=None, until_date=None, notify=notices.append)
    assert arxiv.params()[before:] == [TOKEN1, TOKEN2]
    assert "resuming the interrupted harvest of cs" in notices[0]
    assert (summary.new, summary.pages) == (3, 2)
    resumed = store_snapshot()

    Paper.objects.all().delete()
    summary = harvest(arxiv, fake_time, restart=True)
    assert summary.new == 5
    assert store_snapshot() == resumed
    assert HarvestCheckpoint.objects.filter(status=HarvestCheckpoint.DONE).count() == 2


def test_a_kill_after_storing_but_before_the_checkpoint_reingests_that_page(arxiv, fake_time):
    serve_chain(arxiv)
    stored = []

    def killed_after_page_two(n):
        stored.append(n)
        if len(stored) == 2:
            raise KeyboardInterrupt  # the page is in the store, the checkpoint not yet advanced

    with pytest.raises(KeyboardInterrupt):
        harvest(arxiv, fake_time, on_records=killed_after_page_two)
    assert Paper.objects.count() == 4
    assert HarvestCheckpoint.objects.get().resumption_token == "6146342|1001"
    before = len(arxiv.requests)
    summary = harvest(arxiv, fake_time)
    assert arxiv.params()[before:] == [TOKEN1, TOKEN2]
    assert (summary.new, summary.unchanged) == (1, 2)
    assert Paper.objects.count() == 5


def test_default_from_overlaps_the_last_day_of_the_last_completed_harvest(arxiv, fake_time):
    arxiv.route(OAI, {"metadataPrefix": "arXiv"}, own_reply("no-records-match.xml"))
    harvest(arxiv, fake_time, from_date=None, until_date=None, today=dt.date(2025, 3, 10))
    assert arxiv.params()[-1] == {**FIRST, "from": "2025-03-09", "until": "2025-03-10"}
    harvest(
        arxiv,
        fake_time,
        from_date=None,
        until_date=dt.date(2025, 3, 12),
        today=dt.date(2025, 3, 12),
    )
    assert arxiv.params()[-1] == {**FIRST, "from": "2025-03-10", "until": "2025-03-12"}
    # the same day again: records stamped 2025-03-12 after the last run are still found
    harvest(arxiv, fake_time, from_date=None, until_date=None, today=dt.date(2025, 3, 12))
    assert arxiv.params()[-1] == {**FIRST, "from": "2025-03-12", "until": "2025-03-12"}
    summary = harvest(arxiv, fake_time, from_date=None, until_date=None, today=dt.date(2025, 3, 11))
    assert len(arxiv.requests) == 3 and summary.requests == 0
    assert "harvested through 2025-03-12" in summary.notices[0]


def test_restart_abandons_the_interrupted_harvest(arxiv, fake_time):
    serve_chain(arxiv, page2=[HANG_UP])
    with pytest.raises(HarvestError):
        harvest(arxiv, fake_time)
    serve_chain(arxiv)
    before = len(arxiv.requests)
    harvest(arxiv, fake_time, restart=True)
    assert arxiv.params()[before:] == [FIRST, TOKEN1, TOKEN2]
    statuses = sorted(HarvestCheckpoint.objects.values_list("status", flat=True))
    assert statuses == [HarvestCheckpoint.ABANDONED, HarvestCheckpoint.DONE]


def test_other_dates_start_a_new_harvest_instead_of_resuming(arxiv, fake_time):
    serve_chain(arxiv, page2=[HANG_UP])
    with pytest.raises(HarvestError):
        harvest(arxiv, fake_time)
    arxiv.route(
        OAI, {"metadataPrefix": "arXiv", "from": "2025-02-01"}, own_reply("no-records-match.xml")
    )
    harvest(arxiv, fake_time, from_date=dt.date(2025, 2, 1), until_date=dt.date(2025, 2, 2))
    assert arxiv.params()[-1]["from"] == "2025-02-01"
    assert HarvestCheckpoint.objects.filter(status=HarvestCheckpoint.ABANDONED).count() == 1


def test_from_after_until_is_refused():
    with pytest.raises(ValueError, match="from date 2025-01-05 is after until date 2025-01-04"):
        harvest_set(
            "cs", from_date=dt.date(2025, 1, 5), until_date=JAN4, base_url="http://127.0.0.1:9"
        )


def test_page_datestamps_reads_every_header():
    data = own_reply("deleted-and-updated.xml").body
    assert page_datestamps(data) == [dt.date(2025, 1, 20), dt.date(2025, 1, 21)]


def test_the_harvest_waits_the_delay_between_pages(arxiv, fake_time):
    serve_chain(arxiv)
    client = Client(delay=3, sleep=fake_time.sleep, clock=fake_time.clock)
    summary = harvest_set(
        "cs", from_date=JAN1, until_date=JAN4, base_url=arxiv.url + OAI, client=client
    )
    assert summary.pages == 3
    assert fake_time.sleeps == [3.0, 3.0]  # before pages 2 and 3, none before the first


def test_a_token_answered_with_itself_is_an_error(arxiv, fake_time):
    serve_chain(arxiv, page2=[own_reply("chain-page-1.xml")])  # page 1 again, same token
    with pytest.raises(HarvestError, match="same token again"):
        harvest(arxiv, fake_time)

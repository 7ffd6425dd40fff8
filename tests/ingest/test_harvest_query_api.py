"""Fetching papers by id from the arXiv query API (Atom) against a local server."""

from __future__ import annotations

import pytest

from paperfeed.ingest.harvest import ID_BATCH, Client, HarvestError, fetch_ids
from paperfeed.ingest.upsert import Summary
from paperfeed.papers.ids import InvalidArxivId
from paperfeed.papers.models import Paper
from tests.ingest.arxiv_server import API, FEED_IDS, Reply, own_reply, shared_reply

pytestmark = [pytest.mark.django_db, pytest.mark.network]


def fetch(arxiv, fake_time, ids, **kwargs):
    client = Client(delay=0, sleep=fake_time.sleep, clock=fake_time.clock)
    return fetch_ids(ids, arxiv.url + API, client=client, **kwargs)


def test_fetches_the_ten_papers_of_the_recorded_feed(arxiv, fake_time):
    arxiv.route(API, {}, shared_reply("arxiv-api", "query_all-science_10-entries.xml"))
    summary = fetch(arxiv, fake_time, FEED_IDS)
    assert isinstance(summary, Summary)
    assert (summary.new, summary.rejected, summary.pages, summary.requests) == (10, 0, 1, 1)
    assert summary.missing_ids == []
    assert arxiv.params(API) == [{"id_list": ",".join(FEED_IDS), "start": "0", "max_results": "10"}]
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == sorted(FEED_IDS)
    assert Paper.objects.get(arxiv_id="1501.05039").title == "Defining Data Science"
    again = fetch(arxiv, fake_time, FEED_IDS)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 10)


def test_ids_arxiv_did_not_return_are_reported(arxiv, fake_time):
    arxiv.route(API, {}, shared_reply("arxiv-api", "query_all-science_10-entries.xml"))
    notices = []
    summary = fetch(
        arxiv, fake_time, ["1501.05039v1", "arXiv:2501.00042", "1501.05039"], notify=notices.append
    )
    assert arxiv.params(API)[0]["id_list"] == "1501.05039v1,2501.00042,1501.05039"
    assert summary.missing_ids == ["2501.00042"]
    assert "arXiv returned no paper for 1 id(s): 2501.00042" in notices


def test_more_than_a_hundred_ids_go_in_batches(arxiv, fake_time):
    arxiv.route(API, {}, shared_reply("arxiv-api", "query_all-science_10-entries.xml"))
    ids = [f"2501.{n:05d}" for n in range(1, ID_BATCH + 31)]
    summary = fetch(arxiv, fake_time, ids)
    sent = arxiv.params(API)
    assert [len(p["id_list"].split(",")) for p in sent] == [ID_BATCH, 30]
    assert [p["max_results"] for p in sent] == [str(ID_BATCH), "30"]
    assert sent[1]["id_list"].split(",")[0] == f"2501.{ID_BATCH + 1:05d}"
    assert len(summary.missing_ids) == len(ids)  # the feed holds other papers
    assert summary.pages == 2


def test_a_bad_id_is_refused_before_any_request(arxiv, fake_time):
    with pytest.raises(InvalidArxivId, match="2501.1234"):
        fetch(arxiv, fake_time, ["1501.05039", "2501.1234"])
    assert arxiv.requests == []


def test_an_api_error_feed_is_a_harvest_error_with_arxivs_message(arxiv, fake_time):
    arxiv.route(API, {}, own_reply("api-error.xml"))
    with pytest.raises(HarvestError, match="incorrect id format for 2501.99999v99x"):
        fetch(arxiv, fake_time, ["2501.00001"])


def test_an_http_400_with_an_error_feed_surfaces_the_feed_message(arxiv, fake_time):
    arxiv.route(API, {}, own_reply("api-error.xml", status=400))
    with pytest.raises(HarvestError, match=r"refused .*HTTP 400.*incorrect id format"):
        fetch(arxiv, fake_time, ["2501.00001"])
    assert len(arxiv.requests) == 1


def test_a_503_on_the_api_is_retried(arxiv, fake_time):
    arxiv.route(
        API,
        {},
        Reply(503, b"", headers=[("Retry-After", "4")]),
        shared_reply("arxiv-api", "query_all-science_10-entries.xml"),
    )
    summary = fetch(arxiv, fake_time, FEED_IDS[:2])
    assert fake_time.sleeps == [4.0]
    assert (summary.requests, summary.retries, summary.new) == (2, 1, 10)

from __future__ import annotations

import datetime as dt

import pytest
from prometheus_client.parser import text_string_to_metric_families

from paperfeed.digests import compose, send
from paperfeed.digests.models import Subscriber
from paperfeed.ingest.upsert import ingest
from paperfeed.ops import metrics
from paperfeed.ops.metrics import REGISTRY
from paperfeed.papers.models import Paper
from paperfeed.search import hybrid
from paperfeed.search.embedding_job import current_model
from paperfeed.search.models import Embedding
from tests.ops.conftest import database_down, paper_record, store_papers

pytestmark = pytest.mark.django_db


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client) -> dict[str, dict]:
    """{sample name: {frozenset(labels): value}} of one GET /metrics."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    found: dict[str, dict] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for s in family.samples:
            found.setdefault(s.name, {})[frozenset(s.labels.items())] = s.value
    return found


def test_store_gauges_count_papers_and_pending_embeddings(client):
    ids = store_papers(4)

    Paper.objects.filter(pk=ids[3]).update(deleted=True)  # not visible: neither total nor pending
    Embedding.objects.create(
        paper_id=ids[0], model=current_model(), dim=1, vector=b"\x00\x3c", text_hash="a"
    )
    Embedding.objects.create(
        paper_id=ids[1], model="another-model", dim=1, vector=b"\x00\x3c", text_hash="b"
    )
    found = scrape(client)
    assert found["papers_total"] == {frozenset(): 3.0}
    assert found["embeddings_pending"] == {frozenset(): 2.0}  # ids[1] (other model) and ids[2]


def test_scrape_without_database_leaves_out_store_gauges(client):
    store_papers(1)
    with database_down():
        text = metrics.render().decode()
    assert "paperfeed_request_duration_seconds" in text
    assert "papers_total" not in text and "embeddings_pending" not in text


def test_request_latency_by_route_method_and_status_class(client):
    labels = {"route": "ops:healthz", "method": "GET", "status": "2xx"}
    before = sample("paperfeed_request_duration_seconds_count", **labels)
    client.get("/healthz")
    client.get("/healthz")
    assert sample("paperfeed_request_duration_seconds_count", **labels) == before + 2
    missing = {"route": "<unmatched>", "method": "GET", "status": "4xx"}
    api_404 = {"route": "paperfeed.api.urls.unknown_route", "method": "GET", "status": "4xx"}
    before_missing = sample("paperfeed_request_duration_seconds_count", **missing)
    before_api = sample("paperfeed_request_duration_seconds_count", **api_404)
    client.get("/no-such-page-at-all/")  # no URL pattern matches
    client.get("/api/v1/no-such-endpoint-here")  # the API's catch-all JSON 404 view
    assert sample("paperfeed_request_duration_seconds_count", **missing) == before_missing + 1
    assert sample("paperfeed_request_duration_seconds_count", **api_404) == before_api + 1
    found = scrape(client)
    assert (
        frozenset({**labels, "le": "+Inf"}.items())
        in found["paperfeed_request_duration_seconds_bucket"]
    )


def test_papers_ingested_counts_new_updated_and_deleted():
    new_before = sample("papers_ingested_total", outcome="new")
    updated_before = sample("papers_ingested_total", outcome="updated")
    first, second = paper_record(), paper_record()
    ingest([first, second])
    assert sample("papers_ingested_total", outcome="new") == new_before + 2
    changed = paper_record("A retitled paper", arxiv_id=first.arxiv_id)
    ingest([changed, second])  # second is unchanged: not counted
    assert sample("papers_ingested_total", outcome="new") == new_before + 2
    assert sample("papers_ingested_total", outcome="updated") == updated_before + 1


def test_search_latency_by_mode(indexed):
    before = sample("paperfeed_search_duration_seconds_count", mode="lexical")
    result = hybrid.search("sparse attention", mode="lexical")
    assert result.total == len(indexed)
    # hybrid without vectors answers lexically; the label is the mode that really ran
    assert hybrid.search("sparse attention").mode == "lexical"
    assert sample("paperfeed_search_duration_seconds_count", mode="lexical") == before + 2


def test_digests_sent_counted_by_send_due():
    now = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)

    def every_paper(subscriber, start, end):
        items = [compose.DigestItem(p, "in the store") for p in Paper.objects.order_by("pk")]
        return compose.Digest(subscriber, "unused", [compose.Section("All", items)])

    store_papers(2)
    Subscriber.objects.create(
        email="ada@example.org", status="active", confirmed_at=now - dt.timedelta(days=30)
    )
    sent_before = sample("digests_sent_total")
    failed_before = sample("digests_failed_total")
    assert send.send_due(now, build=every_paper).sent == 1
    assert sample("digests_sent_total") == sent_before + 1
    assert sample("digests_failed_total") == failed_before
    metrics.count_digests(send.Outcome(sent=0, failed=2))
    assert sample("digests_failed_total") == failed_before + 2


def test_recording_helpers_never_raise(caplog):
    class Broken:
        @property
        def new(self):
            raise RuntimeError("summary went away")

    metrics.count_ingested(Broken())  # logged, not raised
    assert "recording a metric failed" in caplog.text

    @metrics.observe_search
    def modeless_search():
        return "a result without a mode attribute"

    assert modeless_search() == "a result without a mode attribute"
    assert metrics.status_class(503) == "5xx" and metrics.status_class(204) == "2xx"

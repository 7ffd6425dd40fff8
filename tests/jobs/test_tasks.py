"""The tasks, called in-process: each does its library call and updates the indexes.

The index job while another process of the node writes the index (a web process catching up
after votes) waits for the lock instead of failing the round — found by benchmarks/bench_load.py,
where ``paperfeed worker --once`` exited 1 under load."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from paperfeed.digests import send
from paperfeed.jobs import tasks
from paperfeed.papers.models import Paper
from paperfeed.personal.models import Follow
from paperfeed.search import paths
from paperfeed.search.lexical import search_papers
from paperfeed.search.models import Embedding
from paperfeed.signals import state as signal_state
from tests.conftest import index_held_by_another_writer
from tests.digests.alert_helpers import follow, paper, reader
from tests.digests.test_send_ledger import active, all_papers
from tests.ingest.arxiv_server import (
    API,
    FEED_IDS,
    OAI,
    FakeArxiv,
    serve_chain,
    shared_reply,
)
from tests.search.test_sync import record, store
from tests.signals.server import recorded
from tests.web.conftest import record as listed_paper
from tests.web.conftest import store as keep

pytestmark = pytest.mark.django_db
RATE_LIMITED = "repos/rate-limit-403__MiniMax-AI__MSA.json"


def found(query: str) -> list[str]:
    return [hit.id for hit in search_papers(query).hits]


@pytest.mark.network
def test_fetch_new_papers_harvests_each_set_then_indexes(arxiv, data_home, settings):
    settings.PAPERFEED_ARXIV_OAI_URL = arxiv.url + OAI
    serve_chain(arxiv)
    result = tasks.fetch_new_papers.call(["cs"])
    assert result["sets"]["cs"]["new"] == 5 and Paper.objects.count() == 5
    assert result["indexes"]["lexical"]["papers"] == 5
    assert result["indexes"]["statistics"] is not None  # papers were stored
    assert found("2501.00003") == ["2501.00003"]


@pytest.mark.network
def test_fetch_submitted_paper_stores_it_and_indexes_it(arxiv, data_home, settings):
    settings.PAPERFEED_ARXIV_API_URL = arxiv.url + API
    arxiv.route(API, {}, shared_reply("arxiv-api", "query_all-science_10-entries.xml"))
    result = tasks.fetch_submitted_paper.call(FEED_IDS[0])
    assert result["found"] and result["arxiv_id"] == FEED_IDS[0]
    assert result["submission"] is None  # nobody submitted it: no submission to settle
    assert Paper.objects.filter(pk=FEED_IDS[0]).exists()
    assert FEED_IDS[0] in found(FEED_IDS[0])
    assert arxiv.params(API)[0]["id_list"] == FEED_IDS[0]


def test_embed_new_papers_embeds_then_indexes_the_vectors(data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:16"
    store(record(1), record(2))
    result = tasks.embed_new_papers.call()
    assert result["model"] == "hashing:16" and result["embedded"] == 2
    assert result["indexes"]["vectors"]["added"] == 2 and Embedding.objects.count() == 2
    assert tasks.embed_new_papers.call()["embedded"] == 0


def test_update_indexes_waits_for_another_writer_then_indexes(data_home):
    store(record(1))
    with index_held_by_another_writer() as release:
        threading.Timer(0.5, release.set).start()  # the other sync finishes half a second later
        tasks.update_indexes.call(wait=2.5)
    assert found("number1") == ["2503.00001"]


def test_update_indexes_fails_when_the_index_stays_busy(data_home):
    store(record(1))
    with paths.write_lock("lexical"), pytest.raises(paths.IndexBusy, match="another process"):
        tasks.update_indexes.call(wait=0.03)


def test_send_due_digests_sends_and_reports_the_outcome(monkeypatch):
    keep(listed_paper("2026-11-26"))
    active("ada@example.org", send_hour=0)
    monkeypatch.setattr(send, "default_build_many", send.one_by_one(all_papers))
    outcome = tasks.send_due_digests.call()
    assert outcome["sent"] == 1 and outcome["failed"] == 0 and len(mail.outbox) == 1
    assert tasks.send_due_digests.call()["sent"] == 0  # the ledger: never twice


def test_send_due_alerts_sends_the_alerts_of_follows_once():
    ada = reader("ada")
    stored = timezone.now() - dt.timedelta(minutes=15)  # in a ten-minute bucket already over
    paper(stored, timezone.now().date(), categories=["cs.LG"])
    follow(ada, Follow.CATEGORY, "cs.LG", made=stored - dt.timedelta(days=1))
    outcome = tasks.send_due_alerts.call()
    assert (outcome["planned"], outcome["sent"], outcome["failed"]) == (1, 1, 0)
    assert mail.outbox[0].to == ["ada@example.org"]
    assert tasks.send_due_alerts.call()["sent"] == 0  # the alert ledger: never twice


def test_prune_task_results_forgets_old_finished_runs_only():
    def run(status: str, finished_days_ago: float | None) -> DBTaskResult:
        finished = (
            None
            if finished_days_ago is None
            else timezone.now() - dt.timedelta(days=finished_days_ago)
        )
        return DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="paperfeed.jobs.tasks.update_indexes",
            backend_name="default",
            run_after=timezone.now(),
            status=status,
            finished_at=finished,
        )

    old = [run(TaskResultStatus.SUCCESSFUL, 8), run(TaskResultStatus.FAILED, 30)]
    kept = [run(TaskResultStatus.SUCCESSFUL, 1), run(TaskResultStatus.READY, None)]
    assert tasks.prune_task_results.call() == {"deleted": len(old)}
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {r.pk for r in kept}


def test_fetch_signals_adds_papers_indexes_them_and_ends_quietly_on_a_rate_limit(
    settings, data_home
):
    hf_day = recorded("hf-daily-papers", "date-2026-06-12.json")  # whatever day is asked
    with FakeArxiv() as hf, FakeArxiv() as github:
        hf.route("/api/daily_papers", {}, hf_day)
        github.route("/repos/MiniMax-AI/MSA", {}, recorded("github", RATE_LIMITED))
        settings.PAPERFEED_HF_URL, settings.PAPERFEED_GITHUB_API_URL = hf.url, github.url
        result = tasks.fetch_signals.call("hf")
        assert result["papers_added"] == 35 and result["indexes"]["lexical"] is not None
        assert "2606.13392" in found("MiniMax Sparse Attention")
        limited = tasks.fetch_signals.call("github", limit=5)
    assert "rate limited (HTTP 403)" in limited["rate_limited"]  # a result, not a failed task
    assert "rate limited" in signal_state.get("github").last_error
    settings.PAPERFEED_S2_API_URL = ""
    assert "PAPERFEED_S2_API_URL is empty" in tasks.fetch_signals.call("s2")["skipped"]

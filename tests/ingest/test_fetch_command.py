"""The fetch command in-process: search-index sync after success, failures and their codes."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paperfeed.papers.models import Paper
from paperfeed.search import refresh
from tests.ingest.arxiv_server import API, FEED_IDS, HANG_UP, OAI, serve_chain, shared_reply

pytestmark = [pytest.mark.django_db, pytest.mark.network]
DATES = ["--from", "2025-01-01", "--until", "2025-01-04"]


def fetch(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("fetch", "arxiv", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_indexes_are_synced_after_the_papers_are_stored(arxiv, sync_calls):
    arxiv.route(API, {}, shared_reply("arxiv-api", "query_all-science_10-entries.xml"))
    out, err = fetch("--id", FEED_IDS[0], "--base-url", arxiv.url + API)
    assert "10 new" in out
    assert sync_calls == [10]


def test_a_failed_harvest_exits_1_without_syncing(arxiv, sync_calls):
    serve_chain(arxiv, page2=[HANG_UP])
    with pytest.raises(CommandError) as caught:
        fetch("--set", "cs", *DATES, "--base-url", arxiv.url + OAI)
    assert caught.value.returncode == 1
    assert "run the same command again to resume" in str(caught.value)
    assert sync_calls == []
    assert Paper.objects.count() == 2  # page 1 is kept


def test_a_busy_index_is_a_warning_and_a_broken_sync_is_exit_1(arxiv, monkeypatch):
    def busy(**options):
        return refresh.IndexUpdate(busy="another process is writing the lexical index")

    def broken(**options):
        raise OSError("disk full")

    arxiv.route(API, {}, shared_reply("arxiv-api", "query_all-science_10-entries.xml"))
    monkeypatch.setattr(refresh, "papers_changed", busy)
    out, err = fetch("--id", FEED_IDS[0], "--base-url", arxiv.url + API)
    assert "search indexes not synced now: another process" in err
    monkeypatch.setattr(refresh, "papers_changed", broken)
    with pytest.raises(
        CommandError, match="papers are stored, but syncing the search indexes failed: disk full"
    ) as caught:
        fetch("--id", FEED_IDS[0], "--base-url", arxiv.url + API)
    assert caught.value.returncode == 1


def test_usage_errors_carry_exit_code_2(sync_calls):
    with pytest.raises(CommandError) as caught:
        fetch("--id", "not-an-id")
    assert caught.value.returncode == 2 and "not an arXiv id: 'not-an-id'" in str(caught.value)
    with pytest.raises(CommandError) as caught:
        fetch("--set", "cs", "--from", "2999-01-01")
    assert caught.value.returncode == 2 and "(today)" in str(caught.value)

"""``paperfeed fetch hf`` in-process: its summary (text and --json), the search-index sync after
papers were added, and the exit status and message of each failure (what was stored is kept)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paperfeed.papers.models import Paper
from paperfeed.signals import state
from paperfeed.signals.models import PaperSignals
from tests.ingest.arxiv_server import Reply
from tests.signals import hf_server, server
from tests.signals.hf_server import PATH, W24, serve_day
from tests.signals.server import json_reply

pytestmark = [pytest.mark.django_db, pytest.mark.network]
service, fast_client = server.service, hf_server.fast_client  # the fixtures


def fetch(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("fetch", "hf", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fails(*args) -> CommandError:
    with pytest.raises(CommandError) as caught:
        fetch(*args)
    return caught.value


def test_the_summary_and_the_index_sync_after_papers_were_added(service, sync_calls):
    serve_day(service, "2026-06-12")
    out, _ = fetch("--date", "2026-06-12", "--base-url", service.url)
    line = out.strip().splitlines()[0]
    assert line.startswith("hf: 1 days, 35 entries, 35 papers_added, 0 papers_updated, 0 rejected")
    assert line.endswith("; 1 requests")
    assert sync_calls == [35]  # after the papers were stored
    assert PaperSignals.objects.get(pk="2606.13289").hf_upvotes == 21
    out, _ = fetch("--date", "2026-06-12", "--base-url", service.url, "--json")
    report = json.loads(out)
    assert (report["source"], report["days"], report["entries"], report["requests"]) == (
        "hf",
        1,
        35,
        1,
    )
    assert report["papers_added"] == report["signals_changed"] == 0
    assert (report["star_snapshots_changed"], report["complete"]) == (0, True)
    assert sync_calls == [35]  # nothing added: no sync
    assert state.get("hf").last_summary["entries"] == 35


def test_the_url_setting_is_used_and_an_empty_one_switches_hf_off(service, settings, sync_calls):
    settings.PAPERFEED_HF_URL = service.url
    serve_day(service, W24[0])
    out, _ = fetch("--date", W24[0])
    assert "31 entries" in out
    settings.PAPERFEED_HF_URL = ""
    error = fails("--date", W24[0])
    assert error.returncode == 1
    assert "PAPERFEED_HF_URL is empty: this install does not ask hf" in str(error)
    assert len(service.requests) == 1


def test_a_rate_limit_exits_1_and_pauses_until_force(service, sync_calls):
    serve_day(
        service, W24[0], json_reply({"error": "Too many requests"}, 429, [("Retry-After", "300")])
    )
    error = fails("--date", W24[0], "--base-url", service.url)
    assert error.returncode == 1
    assert "fetch hf failed: hf: rate limited (HTTP 429)" in str(error)
    assert "paused until" in str(error) and "run it again to resume" in str(error)
    error = fails("--date", W24[0], "--base-url", service.url)
    assert error.returncode == 1 and "nothing requested (--force to try anyway)" in str(error)
    assert len(service.requests) == 1
    serve_day(service, W24[0])
    out, _ = fetch("--date", W24[0], "--base-url", service.url, "--force")
    assert "31 papers_added" in out and state.paused_until("hf") is None


def test_a_server_error_is_retried_then_exits_1(service, fast_client, sync_calls):
    serve_day(service, W24[0], Reply(500, b"upstream broke", [("Content-Type", "text/plain")]))
    error = fails("--date", W24[0], "--base-url", service.url)
    assert error.returncode == 1
    message = str(error)
    assert "gave up after 4 tries; last: HTTP 500 Internal Server Error" in message
    assert f"{service.url}{PATH}?date={W24[0]}&limit=100&p=0" in message
    assert len(service.requests) == 4 and len(fast_client.sleeps) == 3  # no real waiting
    assert Paper.objects.count() == 0 and sync_calls == []
    assert "HTTP 500" in state.get("hf").last_error


def test_html_instead_of_json_exits_1_naming_it(service, sync_calls):
    page = Reply(
        200,
        b"<!DOCTYPE html><html><body>Hugging Face is down</body></html>",
        [("Content-Type", "text/html; charset=utf-8")],
    )
    serve_day(service, W24[0], page)
    error = fails("--date", W24[0], "--base-url", service.url)
    assert error.returncode == 1
    assert "answered HTML instead of JSON (text/html): '<!DOCTYPE html>" in str(error)
    assert f"({service.url}{PATH}?date={W24[0]}" in str(error)


@pytest.mark.parametrize(
    "args, problem",
    [
        (["--date", "2026-06-08", "--since", "2026-06-01"], "give --date or --since, not both"),
        (["--date", "2999-01-01"], "2999-01-01 is after today"),
        (["--limit", "5"], "hf takes --date or --since, not --id or --limit"),
        (["--set", "cs"], "--set, --from, --until and --restart go with arxiv, not hf"),
        (["--date", "June 12"], None),
    ],
)
def test_usage_errors_exit_2_before_any_request(service, sync_calls, args, problem):
    if problem is None:  # argparse refuses it
        with pytest.raises(CommandError, match="is not a date"):
            fetch(*args, "--base-url", service.url)
        return
    error = fails(*args, "--base-url", service.url)
    assert error.returncode == 2 and problem in str(error)
    assert service.requests == []


def test_dates_are_utc_days_of_the_request(service, sync_calls):
    serve_day(service, W24[4])
    fetch("--date", W24[4], "--base-url", service.url)
    assert service.params(PATH) == [{"date": W24[4], "limit": "100", "p": "0"}]
    assert Paper.objects.get(pk="2606.13392").listed == dt.date(2026, 6, 12)

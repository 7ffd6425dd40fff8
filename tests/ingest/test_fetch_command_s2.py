"""``paperfeed fetch s2`` in-process: its summary (text and --json), --id/--limit/--force, and the
exit status and message of each failure (the store keeps what was stored)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paperfeed.signals import state
from paperfeed.signals.models import PaperSignals
from paperfeed.signals.sources import s2
from tests.community.factories import make_paper
from tests.ingest.arxiv_server import FakeTime
from tests.signals import server
from tests.signals.server import json_reply, recorded

pytestmark = [pytest.mark.django_db, pytest.mark.network]
BATCH = "/graph/v1/paper/batch"
ACL = "2506.04142"  # "Accepted to ACL 2025"; S2 answers with the ACL venue
service = server.service  # the fixture


def _acl_item() -> dict:
    """S2's recorded object of 2506.04142."""
    path = server.shared_file("fixtures", "signals", "semantic-scholar", "paper-batch.json")
    (item,) = [i for i in json.loads(path.read_text()) if i and i["externalIds"]["ArXiv"] == ACL]
    return item


def _acl_answer():
    return json_reply([_acl_item()])


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    fake = FakeTime()
    monkeypatch.setattr(s2, "pause", fake.sleep)
    return fake


def fetch(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("fetch", "s2", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_summary_names_what_was_asked_and_stored(service):
    make_paper(ACL)
    service.route(BATCH, {"fields": s2.FIELDS}, _acl_answer())
    out, _ = fetch("--base-url", service.url)
    assert out.strip() == "s2: 1 batches, 1 asked, 1 found, 0 not_in_s2, 1 updated; 1 requests"
    assert PaperSignals.objects.get(pk=ACL).venue == "ACL 2025"
    out, _ = fetch("--base-url", service.url, "--json")  # asked today: not due
    assert json.loads(out) == {
        "source": "s2",
        "requests": 0,
        "complete": True,
        "notices": [],
    }
    assert state.get("s2").last_success_at is not None


def test_id_force_and_limit(service, settings):
    settings.PAPERFEED_S2_API_URL = service.url
    make_paper(ACL, day=dt.date(2025, 6, 4))
    make_paper("2506.03569", day=dt.date(2025, 6, 3))  # older: --force asks it after ACL
    service.route(BATCH, {}, _acl_answer())
    out, _ = fetch("--id", f"{ACL}v1,2601.00001", "--json")
    report = json.loads(out)
    assert report["asked"] == 1 and report["notices"] == ["not stored, not asked: 2601.00001"]
    service.route(BATCH, {}, json_reply([None]))
    out, _ = fetch("--force", "--limit", "1")  # the due paper first; one paper this run
    assert "1 asked" in out and "1 more papers due: asked next run" in out
    assert json.loads(service.requests[-1].body) == {"ids": ["ARXIV:2506.03569"]}
    service.route(BATCH, {}, json_reply([_acl_item(), None]))
    out, _ = fetch("--force")  # both were asked today: --force asks again, newest first
    assert "2 asked" in out
    assert json.loads(service.requests[-1].body) == {"ids": [f"ARXIV:{ACL}", "ARXIV:2506.03569"]}


def test_a_failure_exits_1_saying_what_was_wrong_and_that_a_rerun_resumes(service):
    make_paper(ACL)
    service.route(BATCH, {}, recorded("semantic-scholar", "400-bad-fields.json"))
    with pytest.raises(CommandError) as failed:
        fetch("--base-url", service.url)
    message = str(failed.value)
    assert failed.value.returncode == 1
    assert message.startswith("fetch s2 failed: s2: HTTP 400")
    assert "Unrecognized or unsupported fields" in message
    assert "run it again to resume" in message
    assert "HTTP 400" in state.get("s2").last_error and state.get("s2").last_failure_at


def test_a_rate_limit_pauses_the_source_until_forced(service, clock):
    make_paper(ACL)
    service.route(BATCH, {}, recorded("semantic-scholar", "429.json"))
    with pytest.raises(CommandError, match="rate limited .*paused until") as limited:
        fetch("--base-url", service.url)
    assert limited.value.returncode == 1 and clock.sleeps == [1, 2, 4, 8]
    with pytest.raises(CommandError, match="paused by a rate limit until .*--force"):
        fetch("--base-url", service.url)
    assert len(service.requests) == 5  # the paused run asked nothing
    service.route(BATCH, {}, _acl_answer())
    out, _ = fetch("--base-url", service.url, "--force")
    assert "1 found" in out and state.paused_until("s2") is None


def test_switched_off_and_usage_errors(settings):
    settings.PAPERFEED_S2_API_URL = ""
    with pytest.raises(CommandError, match="PAPERFEED_S2_API_URL is empty") as off:
        fetch()
    assert off.value.returncode == 1
    with pytest.raises(CommandError, match="--date and --since go with hf, not s2") as usage:
        fetch("--date", "2026-06-12")
    assert usage.value.returncode == 2

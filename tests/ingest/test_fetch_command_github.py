"""``paperfeed fetch github`` in-process: its summary (text and --json), --id/--limit, and the
exit status and message of a rate limit and of a reply that is no repository (what was stored
is kept, the next run resumes)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paperfeed.signals import state, store
from paperfeed.signals.models import Repository
from paperfeed.signals.sources import github
from tests.community.factories import make_paper
from tests.ingest.arxiv_server import FakeTime
from tests.signals import server
from tests.signals.server import json_reply, recorded

pytestmark = [pytest.mark.django_db, pytest.mark.network]
service = server.service  # the fixture
NOON = dt.datetime(2026, 6, 12, 12, 0, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    fake = FakeTime()
    monkeypatch.setattr(github, "pause", fake.sleep)
    monkeypatch.setattr(github, "utcnow", lambda: NOON)
    return fake


def fetch(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("fetch", "github", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_summary_names_what_was_linked_and_fetched(service):
    make_paper("2503.13377", abstract_raw="Code is available at https://github.com/twbs/bootstrap.")
    service.route("/repos/twbs/bootstrap", {}, recorded("github", "repos/twbs__bootstrap.json"))
    out, _ = fetch("--base-url", service.url)
    assert out.strip() == (
        "github: 1 papers_scanned, 1 papers_linked, 1 new_links, 1 new_repositories, "
        "1 repositories, 1 updated; 1 requests"
    )
    assert Repository.objects.get().stars == 171281
    out, _ = fetch("--base-url", service.url, "--json")  # fetched today: not due
    assert json.loads(out) == {"source": "github", "requests": 0, "complete": True, "notices": []}
    assert state.get("github").last_success_at is not None


def test_id_and_limit(service, settings):
    settings.PAPERFEED_GITHUB_API_URL = service.url
    for pid, name in (("2606.00001", "twbs/bootstrap"), ("2606.00002", "PyGithub/PyGithub")):
        make_paper(pid)
        store.link_repositories({pid: [("github", name)]}, "hf")
    service.route("/repos/twbs/bootstrap", {}, recorded("github", "repos/twbs__bootstrap.json"))
    service.route(
        "/repos/PyGithub/PyGithub", {}, recorded("github", "repos/PyGithub__PyGithub.json")
    )
    out, _ = fetch("--id", "2606.00002v1,2699.00001", "--json")
    report = json.loads(out)
    assert report["repositories"] == 1
    assert report["notices"] == ["github: not stored, not asked: 2699.00001"]
    assert [r.path for r in service.requests] == ["/repos/PyGithub/PyGithub"]
    out, _ = fetch("--force", "--limit", "1")
    assert "1 repositories" in out and "1 more repositories due (--limit 1)" in out


def test_a_rate_limit_exits_1_naming_github_the_url_and_the_pause(service, settings):
    settings.PAPERFEED_GITHUB_API_URL = service.url
    make_paper("2606.13392", abstract_raw="Kernel: https://github.com/MiniMax-AI/MSA.")
    service.route(
        "/repos/MiniMax-AI/MSA",
        {},
        recorded("github", "repos/rate-limit-403__MiniMax-AI__MSA.json"),
    )
    with pytest.raises(CommandError) as caught:
        fetch()
    message = str(caught.value)
    assert caught.value.returncode == 1
    assert "fetch github failed: github: rate limited (HTTP 403)" in message
    assert f"{service.url}/repos/MiniMax-AI/MSA" in message
    assert "paused until 2026-06-12 12:45:00 UTC" in message
    assert "run it again to resume" in message
    assert Repository.objects.get().paper_links.count() == 1  # the link stays


def test_a_reply_that_is_no_repository_exits_1_and_names_what_was_wrong(service, settings):
    settings.PAPERFEED_GITHUB_API_URL = service.url
    make_paper("2606.00003", comment="Code: github.com/a/b")
    service.route("/repos/a/b", {}, json_reply({"message": "Moved"}, status=200))
    with pytest.raises(CommandError) as caught:
        fetch()
    assert caught.value.returncode == 1
    assert "github: the repository object has no full_name" in str(caught.value)


def test_usage_errors_exit_2():
    with pytest.raises(CommandError) as caught:
        fetch("--date", "2026-06-12")
    assert caught.value.returncode == 2 and "--date and --since go with hf" in str(caught.value)

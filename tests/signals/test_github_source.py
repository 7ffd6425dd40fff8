"""``fetch github`` against every recorded GitHub response (``../shared/fixtures/signals/github``)
served on 127.0.0.1: what each repository shape stores, renames, 404s, rate limits and their
resume, conditional requests, which repositories are due, and the backfill of code links."""

from __future__ import annotations

import datetime as dt
import doctest
import json

import pytest

from paperfeed.ingest import hf as hf_format
from paperfeed.ingest.upsert import ingest
from paperfeed.papers.models import Paper
from paperfeed.signals import code, fetching, state, store
from paperfeed.signals.http import DEFAULT_PAUSE, RateLimited, SourceFailed
from paperfeed.signals.models import PaperRepository, PaperSignals, Repository, StarSnapshot
from paperfeed.signals.sources import github
from tests.community.factories import make_paper
from tests.conftest import shared_file
from tests.ingest import arxiv_server
from tests.signals import server
from tests.signals.server import json_reply, recorded

pytestmark = [pytest.mark.django_db, pytest.mark.network]
service, fake_time = server.service, arxiv_server.fake_time
GH = "github"
API = "https://api.github.com"
NOON = dt.datetime(2026, 6, 12, 12, 0, 1, tzinfo=dt.UTC)
"""The ``Date`` of the recorded 403 (its ``X-RateLimit-Reset`` is 12:45:00 that day)."""


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch, settings, service, fake_time):
    """GitHub served by ``service``; the source's clock at :data:`NOON`; no real sleeping."""
    settings.PAPERFEED_GITHUB_API_URL = service.url
    now = Clock(NOON)
    monkeypatch.setattr(github, "utcnow", now)
    monkeypatch.setattr(github, "pause", fake_time.sleep)
    monkeypatch.setattr(state.timezone, "now", now)
    return now


def index() -> list[dict]:
    return json.loads(shared_file("fixtures", "signals", GH, "index.json").read_text())


def path_of(entry: dict) -> str:
    return entry["request"].split(" ", 1)[1].removeprefix(API)


def serve(service, body: str, path: str | None = None):
    entry = next(e for e in index() if e["body"] == body)
    return service.route(path or path_of(entry), {}, recorded(GH, body))


def link(paper_id: str, *names: str, kind: str = "github") -> list[Repository]:
    if not Paper.objects.filter(pk=paper_id).exists():
        make_paper(paper_id)
    store.link_repositories({paper_id: [(kind, n) for n in names]}, "hf")
    return [Repository.objects.get(key=store.repository_key(kind, n)) for n in names]


def run(**options) -> fetching.Report:
    return fetching.run(GH, fetching.Options(**options))


def test_doctests():
    assert doctest.testmod(github).failed == 0


def _ok_entries() -> list[dict]:
    try:
        return [e for e in index() if e["status"] == 200 and "/repos/" in e["request"]]
    except pytest.skip.Exception:
        return []


@pytest.mark.parametrize("entry", _ok_entries(), ids=lambda e: e["body"])
def test_every_recorded_repository_is_stored_as_github_said(clock, service, entry):
    name = path_of(entry).removeprefix("/repos/").lower()  # as an abstract might spell it
    serve(service, entry["body"], f"/repos/{name}")  # GitHub ignores the case of names
    (repo,) = link("2606.00001", name)
    report = run()
    assert report.counts["updated"] == 1 and report.requests == 1
    repo.refresh_from_db()
    said = entry["fields"]
    license_ = said["license"] if said["license"] not in (None, "NOASSERTION") else ""
    pushed = dt.datetime.fromisoformat(said["pushed_at"].replace("Z", "+00:00"))
    assert (repo.name, repo.renamed_to, repo.status) == (said["full_name"], "", Repository.OK)
    assert (repo.stars, repo.forks, repo.pushed_at) == (
        said["stargazers_count"],
        said["forks_count"],
        pushed,
    )
    assert (repo.license, repo.archived) == (license_, said["archived"])
    assert repo.fetched_at == NOON
    assert list(repo.snapshots.values_list("day", "stars", "source")) == [
        (NOON.date(), said["stargazers_count"], "github")
    ]
    signals = PaperSignals.objects.get(pk="2606.00001")
    assert (signals.has_code, signals.stars) == (True, said["stargazers_count"])


def test_the_shapes_that_need_care(clock, service):
    bodies = {
        "PyGithub/PyGithub": "repos/PyGithub__PyGithub.json",
        "EnricoMi/PyGithub": "repos/EnricoMi__PyGithub.json",
        "openframeworks/openFrameworks": "repos/openframeworks__openFrameworks.json",
        "octokit-fixture-org/hello-world": "repos/octokit-fixture-org__hello-world.json",
        "octokit-fixture-org/hello-world-archived": (
            "repos/constructed-archived__octokit-fixture-org__hello-world-archived.json"
        ),
    }
    for body in bodies.values():
        serve(service, body)
    repos = dict(zip(bodies, link("2606.00002", *bodies), strict=True))
    run()
    for repo in repos.values():
        repo.refresh_from_db()
    assert (repos["PyGithub/PyGithub"].stars, repos["PyGithub/PyGithub"].license) == (
        7115,
        "LGPL-3.0",
    )
    assert repos["EnricoMi/PyGithub"].fork_of == "PyGithub/PyGithub"  # stars are the parent's
    assert repos["PyGithub/PyGithub"].fork_of == ""
    assert repos["openframeworks/openFrameworks"].license == ""  # NOASSERTION
    assert repos["octokit-fixture-org/hello-world"].license == ""  # license: null
    assert repos["octokit-fixture-org/hello-world-archived"].archived is True
    assert PaperSignals.objects.get(pk="2606.00002").code_url.endswith("/PyGithub/PyGithub")


def test_a_renamed_repository_is_followed_through_its_301(clock, service):
    moved = recorded(GH, "repos/moved-301__protoncoin__protoncoin.json")
    moved.headers = [(k, v.replace(API, service.url)) for k, v in moved.headers]
    service.route("/repos/protoncoin/protoncoin", {}, moved)
    serve(service, "repos/moved-301-target__repositories__112116543.json")
    (repo,) = link("2606.00003", "protoncoin/protoncoin")
    report = run()
    repo.refresh_from_db()
    assert report.counts["renamed"] == 1
    assert (repo.name, repo.renamed_to, repo.stars) == (
        "protoncoin/protoncoin",
        "padima2/protoncoin",
        5,
    )
    assert repo.url == "https://github.com/padima2/protoncoin"
    assert [r.path for r in service.requests] == [
        "/repos/protoncoin/protoncoin",
        "/repositories/112116543",
    ]


@pytest.mark.parametrize(
    "body",
    [
        "repos/not-found-404-2012__jacquev6__Xxx.json",
        "repos/not-found-404__paperfeed-fixtures__does-not-exist.json",
    ],
)
def test_a_404_means_gone_and_the_paper_no_longer_has_code_through_it(clock, service, body):
    entry = next(e for e in index() if e["body"] == body)
    serve(service, body)
    (repo,) = link("2606.00004", path_of(entry).removeprefix("/repos/"))
    assert PaperSignals.objects.get(pk="2606.00004").has_code
    assert run().counts["gone"] == 1
    repo.refresh_from_db()
    assert (repo.status, repo.fetched_at) == (Repository.GONE, NOON)
    signals = PaperSignals.objects.get(pk="2606.00004")
    assert (signals.has_code, signals.code_url) == (False, "")
    assert run().counts.get("repositories", 0) == 0  # not asked again the same month
    clock.now = NOON + github.GONE_REFRESH + dt.timedelta(hours=1)
    assert run().counts["gone"] == 1


def test_a_rate_limit_stops_the_run_which_resumes_after_the_reset(clock, service):
    serve(service, "repos/PyGithub__PyGithub.json")
    serve(service, "repos/twbs__bootstrap.json")
    limited = serve(service, "repos/rate-limit-403__MiniMax-AI__MSA.json")
    serve(service, "repos/stellarcarbon__sorocarbon.json")
    link(
        "2606.00005",
        "PyGithub/PyGithub",
        "twbs/bootstrap",
        "MiniMax-AI/MSA",
        "stellarcarbon/sorocarbon",
    )
    with pytest.raises(RateLimited) as caught:
        run()
    reset = dt.datetime(2026, 6, 12, 12, 45, tzinfo=dt.UTC)
    assert caught.value.until == reset
    assert "github" in str(caught.value) and "/repos/MiniMax-AI/MSA" in str(caught.value)
    source = state.get(GH)
    assert source.paused_until == reset
    assert source.last_summary["repositories"] == 2 and source.last_summary["requests"] == 3
    assert "rate limited after 2 of 4" in source.last_summary["notices"][0]
    assert set(Repository.objects.filter(status="ok").values_list("name", flat=True)) == {
        "PyGithub/PyGithub",
        "twbs/bootstrap",
    }
    with pytest.raises(fetching.Paused):
        run()
    assert len(service.requests) == 3  # paused: nothing asked
    clock.now = reset + dt.timedelta(minutes=1)
    limited.replies = [json_reply({"full_name": "MiniMax-AI/MSA", "stargazers_count": 251})]
    report = run()
    assert report.counts["repositories"] == 2 and report.complete  # MSA and the one after it
    assert [r.path for r in service.requests[3:]] == [
        "/repos/MiniMax-AI/MSA",
        "/repos/stellarcarbon/sorocarbon",
    ]
    assert state.paused_until(GH, clock.now) is None


@pytest.mark.parametrize(
    ("body", "pause"),
    [
        ("repos/secondary-rate-limit-429__MiniMax-AI__MSA.json", dt.timedelta(seconds=60)),
        ("repos/rate-limit-403-2013__users__jacquev6.json", DEFAULT_PAUSE),
    ],
)
def test_other_rate_limits_pause_for_what_they_say(clock, service, body, pause):
    service.route("/repos/MiniMax-AI/MSA", {}, recorded(GH, body))
    link("2606.00006", "MiniMax-AI/MSA")
    with pytest.raises(RateLimited) as caught:
        run()
    assert caught.value.until == NOON + pause
    assert state.get(GH).paused_until == NOON + pause
    assert Repository.objects.get().fetched_at is None  # still due first


def test_a_304_to_the_stored_etag_is_unchanged_and_still_todays_snapshot(clock, service):
    route = serve(service, "repos/twbs__bootstrap.json")
    (repo,) = link("2606.00007", "twbs/bootstrap")
    run()
    repo.refresh_from_db()
    assert repo.etag.startswith('W/"b5164482')
    assert "if-none-match" not in {k.lower() for k in service.requests[0].headers}
    clock.now = NOON + dt.timedelta(days=1)
    route.replies = [arxiv_server.Reply(status=304, body=b"", headers=[])]
    report = run()
    assert report.counts == {**report.counts, "repositories": 1, "not_modified": 1}
    assert service.requests[1].headers["If-None-Match"] == repo.etag
    assert list(StarSnapshot.objects.values_list("day", "stars")) == [
        (NOON.date(), 171281),
        (NOON.date() + dt.timedelta(days=1), 171281),
    ]
    repo.refresh_from_db()
    assert (repo.stars, repo.fetched_at) == (171281, clock.now)


def test_stalest_first_limit_and_nothing_refetched_within_the_day(clock, service):
    for body in (
        "repos/PyGithub__PyGithub.json",
        "repos/twbs__bootstrap.json",
        "repos/stellarcarbon__sorocarbon.json",
    ):
        serve(service, body)
    old, older, never = link(
        "2606.00008", "PyGithub/PyGithub", "twbs/bootstrap", "stellarcarbon/sorocarbon"
    )
    Repository.objects.filter(pk=old.pk).update(fetched_at=NOON - dt.timedelta(days=2))
    Repository.objects.filter(pk=older.pk).update(fetched_at=NOON - dt.timedelta(days=3))
    report = run(limit=2)
    assert [r.path for r in service.requests] == [
        "/repos/stellarcarbon/sorocarbon",
        "/repos/twbs/bootstrap",
    ]
    assert not report.complete and "1 more repositories due" in report.notices[0]
    clock.now = NOON + dt.timedelta(hours=19)
    assert run().counts["repositories"] == 1  # PyGithub; the other two are fresh
    assert run().counts.get("repositories", 0) == 0
    assert run(force=True).counts["repositories"] == 3


def test_headers_token_only_github_kind_and_only_the_papers_asked(clock, service, settings):
    settings.GITHUB_TOKEN = "ghp_test"
    serve(service, "repos/twbs__bootstrap.json")
    serve(service, "repos/PyGithub__PyGithub.json")
    link("2606.00009", "twbs/bootstrap")
    link("2606.00009", "MiniMaxAI/MiniMax-M3", kind="hf-model")
    link("2606.00010", "PyGithub/PyGithub")
    report = run(ids=["2606.00009"])
    assert report.counts["repositories"] == 1
    (request,) = service.requests
    assert request.path == "/repos/twbs/bootstrap"
    assert request.headers["Authorization"] == "Bearer ghp_test"
    assert request.headers["Accept"] == "application/vnd.github+json"
    assert request.headers["X-GitHub-Api-Version"] == "2022-11-28"
    hf_model = Repository.objects.get(kind="hf-model")
    assert hf_model.fetched_at is None and hf_model.status == Repository.UNCHECKED


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        (json_reply({"message": "hello"}), "the repository object has no full_name"),
        (json_reply([1, 2]), "expected a repository object, got list"),
        (
            json_reply({"full_name": "a/b", "stargazers_count": "many"}),
            "stargazers_count is 'many'",
        ),
        (
            arxiv_server.Reply(
                status=200, body=b"<html>proxy</html>", headers=[("Content-Type", "text/html")]
            ),
            "answered HTML instead of JSON",
        ),
    ],
)
def test_a_reply_that_is_no_repository_fails_naming_source_url_and_problem(
    clock, service, reply, problem
):
    service.route("/repos/a/b", {}, reply)
    link("2606.00011", "a/b")
    with pytest.raises(SourceFailed) as caught:
        run()
    message = str(caught.value)
    assert message.startswith("github: ") and problem in message and "/repos/a/b" in message
    assert Repository.objects.get().fetched_at is None  # nothing half-stored: asked again


def test_papers_stored_before_code_links_get_them_on_the_first_fetch(clock, service):
    clock.now = NOON - dt.timedelta(days=30)  # stored a month ago
    make_paper("2503.13377", abstract_raw="Code is available at https://github.com/twbs/bootstrap.")
    serve(service, "repos/twbs__bootstrap.json")
    clock.now = NOON
    report = run()
    assert report.counts["papers_scanned"] == 1 and report.counts["new_links"] == 1
    assert report.counts["updated"] == 1
    assert PaperRepository.objects.get().source == "arxiv"
    assert PaperSignals.objects.get(pk="2503.13377").stars == 171281
    assert state.cursor(GH)[code.CURSOR_KEY] == NOON.isoformat()
    assert "papers_scanned" not in run().counts  # nothing changed since: nothing read


def test_hf_then_github_then_a_rate_limit_for_minimax_msa(clock, service):
    """The chain the fixtures were recorded for: HF's day 2026-06-12 names MiniMax-AI/MSA
    (githubRepo of 2606.13392, 145 stars that day); GitHub answers 403 for it; after the reset
    GitHub's own count is stored."""
    path = shared_file("fixtures", "signals", "hf-daily-papers", "date-2026-06-12.json")
    with path.open("rb") as stream:
        ingest(hf_format.parse(stream, path.name))
    msa = Repository.objects.get(key="github:minimax-ai/msa")
    assert msa.paper_links.filter(paper_id="2606.13392").exists()
    limited = serve(service, "repos/rate-limit-403__MiniMax-AI__MSA.json")
    with pytest.raises(RateLimited):
        run(ids=["2606.13392"])
    msa.refresh_from_db()
    assert msa.fetched_at is None and state.get(GH).paused_until.hour == 12
    clock.now = dt.datetime(2026, 6, 13, 9, tzinfo=dt.UTC)
    limited.replies = [json_reply({"full_name": "MiniMax-AI/MSA", "stargazers_count": 251})]
    assert run(ids=["2606.13392"]).counts["updated"] == 1
    msa.refresh_from_db()
    assert (msa.status, msa.stars) == (Repository.OK, 251)
    assert PaperSignals.objects.get(pk="2606.13392").stars == 251


def test_a_repository_blocked_for_legal_reasons_is_gone_and_the_run_goes_on(clock, service):
    """GitHub's 451 (a DMCA takedown) or a 403 that is no rate limit concern one repository:
    it stops counting as code, and the repositories after it are still fetched."""
    blocked = {"message": "Repository access blocked", "block": {"reason": "dmca"}}
    service.route("/repos/a/dmca", {}, json_reply(blocked, status=451))
    service.route("/repos/a/private", {}, json_reply({"message": "Forbidden"}, status=403))
    serve(service, "repos/twbs__bootstrap.json")
    dmca, private, ok = link("2606.00012", "a/dmca", "a/private", "twbs/bootstrap")
    report = run()
    assert (report.counts["blocked"], report.counts["updated"]) == (2, 1)
    for repo in (dmca, private):
        repo.refresh_from_db()
        assert (repo.status, repo.fetched_at) == (Repository.GONE, NOON)
    assert PaperSignals.objects.get(pk="2606.00012").code_url.endswith("/twbs/bootstrap")


def test_a_secondary_limit_without_retry_after_waits_a_minute(clock, service):
    message = "You have exceeded a secondary rate limit. Please wait a few minutes."
    headers = [("X-RateLimit-Remaining", "4871")]
    service.route("/repos/a/b", {}, json_reply({"message": message}, status=403, headers=headers))
    link("2606.00013", "a/b")
    with pytest.raises(RateLimited) as caught:
        run()
    assert caught.value.until == NOON + github.SECONDARY_PAUSE
    assert "secondary rate limit" in str(caught.value)
    assert Repository.objects.get().fetched_at is None

"""``fetch pwc`` against the (constructed) Papers with Code responses of
``../shared/fixtures/signals/paperswithcode``: the trending list and one paper by id, paging,
reruns that change nothing, and a reply that is not a list."""

from __future__ import annotations

import datetime as dt
import doctest
import json

import pytest

from paperfeed.signals import fetching, store
from paperfeed.signals.http import SourceFailed
from paperfeed.signals.models import PaperRepository, PaperSignals, StarSnapshot
from paperfeed.signals.sources import pwc
from tests.community.factories import make_paper
from tests.conftest import shared_file
from tests.ingest import arxiv_server
from tests.signals import server
from tests.signals.server import json_reply, recorded

pytestmark = [pytest.mark.django_db, pytest.mark.network]
service, fake_time = server.service, arxiv_server.fake_time
PWC = "paperswithcode"
LIST = "/api/v1/papers/"
DAY = dt.date(2026, 6, 12)


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch, fake_time):
    monkeypatch.setattr(pwc, "pause", fake_time.sleep)


def trending() -> list[dict]:
    path = shared_file("fixtures", "signals", PWC, "papers.order_by-trending.page1.json")
    return json.loads(path.read_text())["results"]


def run(service, **options) -> fetching.Report:
    return fetching.run(
        pwc.NAME, fetching.Options(base_url=service.url + "/api/v1", today=DAY, **options)
    )


def test_doctests():
    assert doctest.testmod(pwc).failed == 0


def test_the_trending_list_links_official_code_stars_and_project_pages(service):
    papers = trending()
    stored_ids = [p["arxiv_id"] for p in papers][1:]  # the first (2606.13392) is not stored
    for paper_id in stored_ids:
        make_paper(paper_id)
    service.route(
        LIST,
        {"order_by": "trending", "page": "1"},
        recorded(PWC, "papers.order_by-trending.page1.json"),
    )
    report = run(service)
    assert report.counts == {
        "pages": 1,
        "papers": 5,
        "not_stored": 1,
        "no_arxiv_id": 0,
        "new_links": 4,
        "star_snapshots": 4,
        "project_pages": 3,
    }
    (request,) = service.requests
    assert request.params | pwc.TRENDING == request.params  # include_resources=true, trending
    for paper in papers[1:]:
        (repo,) = paper["repositories"]
        link = PaperRepository.objects.get(paper_id=paper["arxiv_id"])
        assert (link.source, link.repository.name) == ("pwc", f"{repo['owner']}/{repo['name']}")
        snapshot = StarSnapshot.objects.get(repository=link.repository)
        assert (snapshot.day, snapshot.stars, snapshot.source) == (DAY, repo["num_stars"], "pwc")
        signals = PaperSignals.objects.get(pk=paper["arxiv_id"])
        assert signals.stars == repo["num_stars"]
        pages = [p["url"] for p in paper["project_pages"]]
        assert signals.project_page == (pages[0] if pages else "")
    assert not PaperSignals.objects.filter(pk=papers[0]["arxiv_id"]).exists()
    again = run(service)
    assert (again.counts["new_links"], again.counts["star_snapshots"]) == (0, 0)
    assert again.counts["project_pages"] == 0


def test_one_paper_by_id_and_one_pwc_does_not_know(service):
    make_paper("2606.13392")
    make_paper("2606.99999")
    store.save_signals({"2606.13392": {"project_page": "https://minimax.example/msa"}})
    service.route(
        "/api/v1/papers/2606.13392",
        {"include_resources": "true"},
        recorded(PWC, "paper-2606.13392.include_resources.json"),
    )
    report = run(service, ids=["2606.13392v2", "2606.99999"])
    assert report.counts["new_links"] == 1 and report.counts["not_on_pwc"] == 1
    assert report.notices == ["pwc: not on Papers with Code: 2606.99999"]
    assert PaperSignals.objects.get(pk="2606.13392").stars == 145
    assert PaperSignals.objects.get(pk="2606.13392").project_page == "https://minimax.example/msa"


def test_pages_follow_next_page_up_to_the_limit(service):
    def item(n: int) -> dict:
        return {
            "arxiv_id": f"2606.0000{n}",
            "repositories": [{"url": f"https://github.com/lab/r{n}", "num_stars": n}],
        }

    for n in range(1, 5):
        make_paper(f"2606.0000{n}")
    service.route(LIST, {"page": "1"}, json_reply({"results": [item(1), item(2)], "next_page": 2}))
    service.route(LIST, {"page": "2"}, json_reply({"results": [item(3)], "next_page": None}))
    assert run(service).counts["papers"] == 3 and len(service.requests) == 2
    service.requests.clear()
    report = run(service, limit=1)
    assert report.counts["papers"] == 1 and service.requests[0].params["page_size"] == "1"
    assert len(service.requests) == 1


def test_a_reply_that_is_no_list_fails_naming_pwc_the_url_and_the_problem(service):
    service.route(LIST, {}, json_reply({"detail": "Not found"}))
    with pytest.raises(SourceFailed) as caught:
        run(service)
    message = str(caught.value)
    assert message.startswith("pwc: the list object has no results (nor items) list")
    assert f"{service.url}/api/v1/papers/" in message

"""``paperfeed fetch s2`` (signals/sources/s2.py) against Semantic Scholar's recorded batch answer
and the errors S2 gives: what is stored, what is asked and when, and that nothing is lost."""

from __future__ import annotations

import datetime as dt
import doctest
import json

import pytest

from paperfeed.papers.models import Paper
from paperfeed.signals import fetching, state
from paperfeed.signals.http import RateLimited, SourceFailed
from paperfeed.signals.models import PaperSignals
from paperfeed.signals.sources import s2
from tests.community.factories import make_paper
from tests.conftest import shared_file
from tests.ingest.arxiv_server import HANG_UP, FakeTime, Reply
from tests.signals import server
from tests.signals.server import json_reply, recorded

pytestmark = [pytest.mark.django_db, pytest.mark.network]
FOLDER = "semantic-scholar"
BATCH = "/graph/v1/paper/batch"
TODAY = dt.date(2026, 6, 13)
UNKNOWN = "2699.99999"  # stored here, unknown to S2: answers null
service = server.service  # the fixture


def _load(name: str):
    return json.loads(shared_file("fixtures", "signals", FOLDER, name).read_text())


def _asked_ids() -> list[str]:
    return [i.removeprefix("ARXIV:") for i in _load("paper-batch.request.json")["ids"]]


def _by_id() -> dict[str, dict | None]:
    """The recorded batch answer keyed by the arXiv id asked."""
    return dict(zip(_asked_ids(), _load("paper-batch.json"), strict=True))


def _answer(ids: list[str]) -> Reply:
    """S2's answer to a batch of these ids, made of the recorded objects (null for the others)."""
    known = _by_id()
    return json_reply([known.get(i) for i in ids])


def _bodies(service) -> list[list[str]]:
    return [
        [i.removeprefix("ARXIV:") for i in json.loads(r.body)["ids"]]
        for r in service.requests
        if r.path == BATCH
    ]


@pytest.fixture
def papers():
    """The 21 papers of the recorded batch, each with its arXiv v1 day (S2's publicationDate)."""
    for arxiv_id, item in _by_id().items():
        day = dt.date.fromisoformat(item["publicationDate"]) if item else dt.date(2026, 6, 12)
        make_paper(arxiv_id, day=day)
    return _asked_ids()


@pytest.fixture
def clock(monkeypatch):
    fake = FakeTime()
    monkeypatch.setattr(s2, "pause", fake.sleep)
    return fake


def _fetch(service, **options) -> fetching.Report:
    report = fetching.Report("s2")
    opts = fetching.Options(base_url=service.url, today=options.pop("today", TODAY), **options)
    s2.fetch(opts, report, notify=lambda m: None, progress=fetching.no_progress)
    return report


def _signals(arxiv_id: str) -> PaperSignals:
    return PaperSignals.objects.get(pk=arxiv_id)


def test_doctests():
    assert doctest.testmod(s2).failed == 0


def test_the_recorded_batch_fills_the_store(service, papers, clock):
    service.route(BATCH, {"fields": s2.FIELDS}, recorded(FOLDER, "paper-batch.json"))
    report = _fetch(service, ids=papers)
    (request,) = service.requests
    assert request.method == "POST" and request.params == {"fields": s2.FIELDS}
    assert json.loads(request.body) == _load("paper-batch.request.json")  # S2's own request
    assert "x-api-key" not in {k.lower() for k in request.headers}
    assert report.counts == {"batches": 1, "asked": 21, "found": 20, "not_in_s2": 1, "updated": 20}
    assert report.requests == 1 and clock.sleeps == []

    mimo = _signals("2506.03569")
    assert mimo.s2_id == "634385eb19f4782b964f620069d2103d9f12e184"
    assert (mimo.citations, mimo.influential_citations) == (263, 29)
    assert mimo.tldr.startswith("We open-source MiMo-VL-7B-SFT and MiMo-VL-7B-RL")
    assert mimo.venue == ""  # arXiv.org is where every preprint is, not a venue
    assert mimo.open_access_pdf == "http://arxiv.org/pdf/2506.03569"
    acl = _signals("2506.04142")
    assert acl.venue == "ACL 2025"
    new = _signals("2606.13681")  # 2026: tldr null, openAccessPdf url ""
    assert (new.tldr, new.open_access_pdf, new.citations, new.influential_citations) == (
        "",
        "",
        3,
        0,
    )
    unknown = _signals(UNKNOWN)  # null: asked, nothing else
    assert unknown.s2_fetched_at is not None and unknown.s2_fetched_at.date() == TODAY
    assert (unknown.s2_id, unknown.tldr, unknown.citations, unknown.venue) == ("", "", None, "")
    assert PaperSignals.objects.filter(s2_fetched_at__isnull=False).count() == 21


def test_rerun_asks_only_what_is_due_and_changes_nothing(service, papers, clock):
    service.route(BATCH, {}, recorded(FOLDER, "paper-batch.json"))
    _fetch(service, ids=papers)
    before = list(PaperSignals.objects.order_by("pk").values())
    again = _fetch(service)  # same day: nothing due
    assert again.counts == {} and again.requests == 0 and len(service.requests) == 1
    assert list(PaperSignals.objects.order_by("pk").values()) == before

    # the next day only the papers of their first week are due (2606.08063 is 8 days old)
    service.route(BATCH, {}, _answer([UNKNOWN, "2606.13392"]))
    next_day = _fetch(service, today=TODAY + dt.timedelta(days=1), limit=2)
    assert next_day.complete is False and next_day.notices == ["6 more papers due: asked next run"]
    # equally late: newest first (UNKNOWN's day is 2026-06-12), then by id
    assert _bodies(service)[-1] == [UNKNOWN, "2606.13392"]
    assert next_day.counts["updated"] == 0  # S2 said the same again
    due = s2.due_papers(TODAY + dt.timedelta(days=1))
    assert "2606.08063" not in due and not any(i.startswith("25") for i in due)
    assert len(due) == 6


def test_papers_never_asked_come_first_newest_first(service, papers, clock):
    asked = dt.datetime.combine(TODAY - dt.timedelta(days=2), dt.time(9), dt.UTC)
    s2.store.save_signals({"2606.13681": {"s2_fetched_at": asked}})  # due again, one day late
    due = s2.due_papers(TODAY)
    assert len(due) == 21 and due[-1] == "2606.13681"  # after every paper never asked
    days = [Paper.objects.get(pk=i).published for i in due[:-1]]
    assert days == sorted(days, reverse=True)
    service.route(BATCH, {}, _answer(due[:5]))
    _fetch(service, limit=5)
    assert _bodies(service) == [due[:5]]


def test_a_null_keeps_what_s2_said_before(service, papers, clock):
    s2.store.save_signals({"2506.03569": {"citations": 7, "tldr": "Said before."}})
    service.route(BATCH, {}, json_reply([None]))
    report = _fetch(service, ids=["2506.03569v2"])  # a version is dropped
    row = _signals("2506.03569")
    assert (row.citations, row.tldr) == (7, "Said before.")
    assert row.s2_fetched_at is not None
    assert report.counts == {"batches": 1, "asked": 1, "found": 0, "not_in_s2": 1, "updated": 0}


def test_ids_not_stored_are_named_and_not_asked(service, papers, clock):
    service.route(BATCH, {}, _answer(["2506.04142"]))
    report = _fetch(service, ids=["2506.04142", "2601.00001"])
    assert report.notices == ["not stored, not asked: 2601.00001"]
    assert _bodies(service) == [["2506.04142"]]


def test_force_asks_every_paper_in_batches_of_at_most_the_batch_size(
    service, papers, clock, monkeypatch
):
    monkeypatch.setattr(s2, "BATCH_SIZE", 8)
    order = s2.due_papers(TODAY)
    service.route(BATCH, {}, _answer(order[:8]), _answer(order[8:16]), _answer(order[16:]))
    _fetch(service)
    assert _bodies(service) == [order[:8], order[8:16], order[16:]]
    assert s2.due_papers(TODAY) == []
    assert s2.due_papers(TODAY, force=True) == order  # --force: all, same order
    service.route(BATCH, {}, _answer(order[:8]), _answer(order[8:16]), _answer(order[16:]))
    forced = _fetch(service, force=True)
    assert forced.counts["asked"] == 21 and forced.counts["updated"] == 0


def test_the_api_key_is_sent_when_set(service, papers, clock, settings):
    settings.S2_API_KEY = "k-123"
    service.route(BATCH, {}, _answer(["2506.04142"]))
    _fetch(service, ids=["2506.04142"])
    headers = {k.lower(): v for k, v in service.requests[0].headers.items()}
    assert headers["x-api-key"] == "k-123"


# -- errors: each is clear, and what was stored stays ---------------------------------------


def _kill_second_batch(service, monkeypatch, failure: Reply) -> list[str]:
    """Three batches of 8, 8 and 5; the second fails with ``failure``. Returns the order."""
    monkeypatch.setattr(s2, "BATCH_SIZE", 8)
    order = s2.due_papers(TODAY)
    service.route(BATCH, {}, _answer(order[:8]), failure)
    return order


def _truncated() -> Reply:
    reply = recorded(FOLDER, "paper-batch.json")
    reply.body = reply.body[:5000]  # a download cut short
    return reply


def _html() -> Reply:
    return Reply(200, b"<html><body>502 Bad Gateway</body></html>", [("Content-Type", "text/html")])


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (_truncated, "the JSON is cut short or broken"),
        (_html, "answered HTML instead of JSON"),
        (lambda: json_reply({"data": []}), "answered a JSON dict instead of a list of papers"),
        (lambda: json_reply([None]), "answered 1 items for 8 ids"),
    ],
)
def test_a_broken_answer_fails_clearly_and_the_rerun_resumes(
    service, papers, clock, monkeypatch, failure, message
):
    order = _kill_second_batch(service, monkeypatch, failure())
    with pytest.raises(SourceFailed, match=message) as failed:
        _fetch(service)
    assert failed.value.source == "s2" and BATCH in failed.value.url
    assert str(failed.value).startswith("s2: ")
    asked = PaperSignals.objects.filter(s2_fetched_at__isnull=False).values_list("pk", flat=True)
    assert set(asked) == set(order[:8])  # the first batch is kept, the second not half-stored
    service.route(BATCH, {}, _answer(order[8:16]), _answer(order[16:]))
    _fetch(service)
    assert _bodies(service)[-2:] == [order[8:16], order[16:]]  # only what was still due
    assert PaperSignals.objects.filter(s2_fetched_at__isnull=False).count() == 21
    assert PaperSignals.objects.count() == 21  # nothing doubled


def test_answers_out_of_order_are_refused(service, papers, clock):
    service.route(BATCH, {}, _answer(["2506.04142", "2506.03569"]))
    with pytest.raises(SourceFailed, match=r"item 0 \(ARXIV:2506.03569\) is the paper of arXiv"):
        _fetch(service, ids=["2506.03569", "2506.04142"])
    assert not PaperSignals.objects.exists()


def test_server_errors_are_retried_then_fail_clearly(service, papers, clock, monkeypatch):
    order = _kill_second_batch(service, monkeypatch, json_reply({"message": "Internal"}, 500))
    with pytest.raises(SourceFailed, match="gave up after 4 tries; last: HTTP 500"):
        _fetch(service)
    assert clock.sleeps == [1, 2, 4]
    assert len(service.requests) == 5
    assert PaperSignals.objects.filter(s2_fetched_at__isnull=False).count() == len(order[:8])


def test_a_server_that_hangs_up_is_retried(service, papers, clock):
    service.route(BATCH, {}, HANG_UP, _answer(["2506.04142"]))
    report = _fetch(service, ids=["2506.04142"])
    assert report.requests == 2 and _signals("2506.04142").venue == "ACL 2025"


def test_bad_fields_quote_s2s_error(service, papers, clock):
    service.route(BATCH, {}, recorded(FOLDER, "400-bad-fields.json"))
    with pytest.raises(SourceFailed) as failed:
        _fetch(service, ids=papers)
    message = str(failed.value)
    assert "HTTP 400" in message
    assert "Unrecognized or unsupported fields: [author.creditCardNumber, garbage]" in message
    assert f"{service.url}{BATCH}?fields=" in message
    assert len(service.requests) == 1 and not PaperSignals.objects.exists()


def test_a_404_names_the_url_setting(service, papers, clock):
    service.route(BATCH, {}, recorded(FOLDER, "paper-arXiv-2699.99999.404.json"))
    with pytest.raises(
        SourceFailed, match="HTTP 404 from the batch endpoint: is PAPERFEED_S2_API_URL"
    ):
        _fetch(service, ids=papers)


def test_429s_back_off_then_go_on(service, papers, clock):
    limited = recorded(FOLDER, "429.json")
    assert limited.status == 429
    service.route(BATCH, {}, limited, limited, limited, _answer(["2506.04142"]))
    report = _fetch(service, ids=["2506.04142"])
    assert clock.sleeps == [1, 2, 4]
    assert report.requests == 4 and _signals("2506.04142").citations == 24


def test_429s_that_last_pause_the_source(service, papers, clock, settings):
    settings.PAPERFEED_S2_API_URL = service.url
    service.route(BATCH, {}, recorded(FOLDER, "429.json"))
    with pytest.raises(RateLimited, match="Too Many Requests") as limited:
        fetching.run("s2", fetching.Options(ids=papers))
    assert clock.sleeps == [1, 2, 4, 8] and len(service.requests) == 5
    assert not PaperSignals.objects.exists()
    paused = state.paused_until("s2")
    assert paused == limited.value.until
    assert state.get("s2").last_summary["requests"] == 5
    with pytest.raises(fetching.Paused):  # the next run asks nothing until then
        fetching.run("s2", fetching.Options(ids=papers))
    assert len(service.requests) == 5


# -- S2's objects as the other recordings show them -------------------------------------------


def test_the_single_paper_answer_reads_as_its_batch_element():
    single = _load("paper-arXiv-2506.03569.json")
    assert s2.signals_of(single) == s2.signals_of(_load("paper-batch.json")[0])


def test_real_s2_objects_read_as_absent_where_s2_said_nothing():
    real = _load("reference-real/paper-search-match_arXiv-2412.00678.json")
    assert s2.signals_of(real) == {
        "s2_id": "f22d78d06f6c603ab1c6e244db955e632f6d7af0",
        "tldr": "",  # not asked in that request: absent
        "citations": 5,
        "influential_citations": 1,
        "venue": "",  # arXiv.org
        "open_access_pdf": "",  # url ""
    }
    search = _load("reference-real/sotawhat_paper-search_transformer.json")["data"]
    read = {item["externalIds"]["ArXiv"]: s2.signals_of(item) for item in search}
    assert read["2012.07436"]["open_access_pdf"].startswith("https://ojs.aaai.org/")
    assert read["2004.05150"]["open_access_pdf"] == ""
    # fields that search did not ask for are absent, never 0
    assert {r["citations"] for r in read.values()} == {None}
    assert {r["venue"] for r in read.values()} == {""}

"""``paperfeed ingest`` of a Hugging Face daily-papers file records the same signals as ``fetch hf``
(in-process; the subprocess end-to-end runs are test_ingest_command.py's)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from paperfeed.papers.models import Paper
from paperfeed.signals import fetching
from paperfeed.signals.models import PaperRepository, PaperSignals, Repository, StarSnapshot
from tests.conftest import shared_file
from tests.signals import server
from tests.signals.hf_server import HF, LATER, expected_from, serve_day, stored

pytestmark = pytest.mark.django_db
JUNE_12 = dt.date(2026, 6, 12)
MSA = "github:minimax-ai/msa"
service = server.service  # the fixture


def ingest(*paths, batch_size: int = 2000) -> str:
    out = io.StringIO()
    call_command(
        "ingest",
        *map(str, paths),
        "--no-index",
        "--batch-size",
        str(batch_size),
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


def hf_file(name: str):
    return shared_file("fixtures", "signals", HF, name)


def test_an_hf_file_records_its_signals_and_a_second_import_changes_nothing():
    ingest(hf_file("date-2026-06-12.json"))
    expected = expected_from(["date-2026-06-12.json"])
    assert dict(PaperSignals.objects.values_list("pk", "hf_upvotes")) == expected["upvotes"]
    assert set(PaperSignals.objects.values_list("hf_day", flat=True)) == {JUNE_12}
    assert (
        set(PaperRepository.objects.values_list("paper_id", "repository__key"))
        >= (expected["links"])
    )
    # a file has no fetch day: its star counts are dated by the list day
    assert set(StarSnapshot.objects.values_list("repository__key", "day", "stars")) == {
        (key, JUNE_12, stars) for key, stars in expected["stars"].items()
    }
    row = PaperSignals.objects.get(pk="2606.13392")
    assert (row.ai_keywords[0], row.org_fullname, row.stars) == ("sparse attention", "MiniMax", 145)
    assert row.hf_fetched_at is None  # a file does not say when it was fetched
    assert set(Paper.objects.values_list("listed", flat=True)) == {JUNE_12}
    before = stored()
    ingest(hf_file("date-2026-06-12.json"))
    assert stored() == before


def test_the_later_snapshot_file_updates_votes_and_that_day_s_stars():
    ingest(hf_file("date-2026-06-12.json"))
    ingest(hf_file(LATER))
    assert PaperSignals.objects.get(pk="2606.13289").hf_upvotes == 25
    assert list(StarSnapshot.objects.filter(repository__key=MSA).values_list("day", "stars")) == [
        (JUNE_12, 251)
    ]  # both files list the 12th: one snapshot, the later count


@pytest.mark.network
def test_ingest_and_fetch_store_the_same_signals(service):
    serve_day(service, "2026-06-12")
    fetching.run("hf", fetching.Options(base_url=service.url, date=JUNE_12, today=JUNE_12))
    fetched = list(PaperSignals.objects.order_by("pk").values())
    Repository.objects.all().delete()  # with its links and snapshots
    Paper.objects.all().delete()  # with its signals: the file adds the papers again
    ingest(hf_file("date-2026-06-12.json"))
    ingested = list(PaperSignals.objects.order_by("pk").values())
    for row in fetched:
        assert row.pop("hf_fetched_at") is not None
    for row in ingested:
        assert row.pop("hf_fetched_at") is None
    assert ingested == fetched


def test_a_file_cut_short_keeps_whole_batches_with_their_signals(tmp_path):
    data = hf_file("date-2026-06-12.json").read_bytes()
    cut = tmp_path / "cut.json"
    cut.write_bytes(data[: data.index(b'"id": "', len(data) // 2)])  # inside an entry past half
    with pytest.raises(SystemExit) as caught:  # the file's error, exit 1
        ingest(cut, batch_size=10)
    assert caught.value.code == 1
    papers = set(Paper.objects.values_list("pk", flat=True))
    assert len(papers) in (10, 20, 30) and len(papers) < 35  # whole batches only
    assert set(PaperSignals.objects.filter(hf_day=JUNE_12).values_list("pk", flat=True)) == papers
    ingest(hf_file("date-2026-06-12.json"), batch_size=10)  # the rerun completes it
    assert Paper.objects.count() == PaperSignals.objects.count() == 35

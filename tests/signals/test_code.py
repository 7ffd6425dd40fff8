"""Papers linked to the code and project page their arXiv text names: at ingest (inside the
batch transaction) and by the backfill of papers stored before."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperfeed.ingest.jsonl import parse
from paperfeed.ingest.records import PaperRecord
from paperfeed.ingest.upsert import ingest
from paperfeed.papers.models import Paper
from paperfeed.signals import code, ingested, links, state, store
from paperfeed.signals.models import PaperRepository, PaperSignals, Repository
from tests.community.factories import make_paper
from tests.conftest import shared_file

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 3, 18)


def rec(arxiv_id: str, abstract: str = "An abstract.", comment: str = "", **kw) -> PaperRecord:
    return PaperRecord(
        arxiv_id=arxiv_id,
        title_raw=f"Paper {arxiv_id}",
        source="jsonl",
        abstract_raw=abstract,
        comment=comment,
        categories=["cs.CV"],
        listed=DAY,
        **kw,
    )


def linked(paper_id: str) -> list[tuple[str, str, str]]:
    return sorted(
        PaperRepository.objects.filter(paper_id=paper_id).values_list(
            "repository__kind", "repository__name", "source"
        )
    )


def test_ingest_links_the_code_and_project_page_of_new_papers():
    summary = ingest(
        [
            rec(
                "2503.13881",
                "We release MMR.\nCode and models: \\url{https://github.com/jdg900/MMR} and\n"
                "https://huggingface.co/jdg900/mmr-base.",
                "ICLR 2025. Project page: https://jdg900.github.io/MMR/",
            ),
            rec("2503.00002", "No code here."),
        ]
    )
    assert summary.new == 2
    assert linked("2503.13881") == [
        ("github", "jdg900/MMR", "arxiv"),
        ("hf-model", "jdg900/mmr-base", "arxiv"),
    ]
    row = PaperSignals.objects.get(pk="2503.13881")
    assert row.has_code and row.code_url == "https://github.com/jdg900/MMR"
    assert row.project_page == "https://jdg900.github.io/MMR/"
    assert row.stars is None  # not fetched yet: absent, not 0
    assert not PaperSignals.objects.filter(pk="2503.00002").exists()


def test_reingesting_doubles_nothing_and_a_new_version_adds_its_new_link():
    first = [rec("2504.13131", "https://github.com/lixinustc/KVQE-\nChallengeCVPR-NTIRE2025.")]
    ingest(first)
    ingest(first)
    assert Repository.objects.count() == PaperRepository.objects.count() == 1
    ingest([rec("2504.13131", "Moved to https://github.com/LiXin/KVQE.", version=2)])
    assert [name for _, name, _ in linked("2504.13131")] == [
        "LiXin/KVQE",
        "lixinustc/KVQE-ChallengeCVPR-NTIRE2025",
    ]


def test_a_project_page_set_by_another_source_is_kept():
    ingest([rec("2503.12024", "Nothing yet.")])
    store.save_signals({"2503.12024": {"project_page": "https://hf.example/steerx"}})
    ingest([rec("2503.12024", "Project page: https://byeongjun-park.github.io/SteerX/", version=2)])
    assert PaperSignals.objects.get(pk="2503.12024").project_page == "https://hf.example/steerx"


def test_links_roll_back_with_the_batch_that_named_them(monkeypatch):
    """The links are written inside the batch's transaction: a failure after them (here the
    next hook of the batch) leaves neither the paper nor its links."""

    def fail(records):
        assert Repository.objects.exists()  # linked already, in this transaction
        raise RuntimeError("the batch fails after the links were written")

    monkeypatch.setattr(ingested.carried, "store_carried", fail)
    with pytest.raises(RuntimeError):
        ingest(
            [rec("2503.13957", comment="CVPR 2025, Code: https://github.com/kagawa588/DiffVsgg")]
        )
    assert not Paper.objects.exists() and not Repository.objects.exists()


def test_one_batch_costs_a_fixed_number_of_queries_whatever_its_size():
    def batch(start: int, n: int) -> list[PaperRecord]:
        return [
            rec(f"2505.{start + i:05d}", f"Code: https://github.com/lab{i}/repo{start + i}.")
            for i in range(n)
        ]

    ingest(batch(0, 5))  # make both papers and repositories exist once
    counts = []
    for start, size in ((100, 10), (200, 200)):
        records = batch(start, size)
        ingest(records, batch_size=10_000)
        with CaptureQueriesContext(connection) as queries:
            code.link_from_records(records)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12, counts


def test_backfill_links_papers_stored_before_and_then_only_changed_ones():
    old = make_paper("2503.12460", abstract_raw="Code will be at github.com/Xu3XiWang/CAD-GD.")
    make_paper("2503.12418", comment="Code: \\href{https://github.com/a/b}{a/b}")
    make_paper("2503.99999", abstract_raw="Nothing.", deleted=True)
    seen: list[int] = []
    first = code.backfill(seen.append, chunk=1)
    assert first["papers_scanned"] == 2 and first["new_links"] == 2 and seen == [1, 1]
    assert linked("2503.12460") == [("github", "Xu3XiWang/CAD-GD", "arxiv")]
    assert state.cursor("github")[code.CURSOR_KEY]
    assert code.backfill()["papers_scanned"] == 0
    old.comment = "Also https://gitlab.com/grp/sub/proj/-/tree/main"
    old.save()
    again = code.backfill()
    assert (again["papers_scanned"], again["new_links"]) == (1, 1)
    assert ("gitlab", "grp/sub/proj", "arxiv") in linked("2503.12460")


def test_an_unreadable_watermark_means_scan_everything_again():
    make_paper(
        "2503.13377", abstract_raw="Code is available at https://github.com/www-Ye/TimeZero."
    )
    state.save_cursor("github", {code.CURSOR_KEY: "not a time", "other": 1})
    assert code.backfill()["papers_scanned"] == 1
    assert state.cursor("github")["other"] == 1


def test_the_corpus_sample_links_as_links_reads_it():
    """The first 2,000 papers of the shared corpus, through ingest: what is stored is exactly
    what :func:`links.scan` reads (and the share of papers with code is the corpus's)."""
    path = shared_file("data", "arxiv-cs-2025-2026.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        papers = [json.loads(next(lines)) for _ in range(2000)]
    body = "\n".join(json.dumps(p) for p in papers).encode()
    ingest(parse(io.BytesIO(body), "corpus"))
    expected = {}
    for paper in Paper.objects.values("arxiv_id", "abstract_raw", "comment"):
        found = links.code_links(paper["abstract_raw"]) + links.code_links(paper["comment"])
        if found:
            expected[paper["arxiv_id"]] = {links.repository_key(k, n) for k, n in found}
    stored: dict[str, set[str]] = {}
    for pid, key in PaperRepository.objects.values_list("paper_id", "repository__key"):
        stored.setdefault(pid, set()).add(key)
    assert stored == expected
    assert 0.10 < len(stored) / 2000 < 0.25

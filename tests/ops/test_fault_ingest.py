"""A worker killed mid-ingest: `paperfeed ingest` of 20,000 records (some repeated later in the
file with a newer version) SIGKILLed once a few batches are committed, then run again; and
`paperfeed fetch arxiv` SIGKILLed half-way through a 20-page OAI-PMH harvest from a local server,
then resumed. Each time the store ends up equal to one uninterrupted run: the same papers with
the same field values, the same authors and author lists, nothing twice; and after the ingest,
`paperfeed index` publishes an index holding exactly the visible papers."""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from tests.ingest.arxiv_server import OAI, FakeArxiv, Reply
from tests.ops.fault_support import (
    kill_9,
    paperfeed,
    scratch_store,
    script,
    start_paperfeed,
    wait_until,
)

pytestmark = pytest.mark.slow

RECORDS = 20_000
REVISED = 2_000  # records that come again at the end of the file, as a newer version
BATCH = 1_000


def paper_line(i: int, version: int = 1) -> str:
    return json.dumps(
        {
            "id": f"2503.{i:05d}v{version}",
            "title": f"Title {i} on sparse attention" + (" (revised)" if version > 1 else ""),
            "abstract": f"Abstract {i}: transformers, version {version}.",
            "authors": [f"Author {i % 997}", f"Second {i % 13}", "Common Name"][: 1 + i % 3],
            "categories": ["cs.CL", "cs.AI"] if i % 2 else ["cs.LG"],
            "comment": f"{version} figures" if i % 5 == 0 else None,
            "listed": f"2025-03-{1 + i % 28:02d}",
        }
    )


def dump(store) -> dict:
    """The whole store without timestamps or surrogate keys, in a stable order."""
    return {
        "papers": store.rows(
            "select arxiv_id, version, title, title_raw, abstract, abstract_raw, "
            "primary_category, categories, published, updated, listed, comment, journal_ref, doi, "
            "license, source, deleted from papers_paper order by arxiv_id"
        ),
        "authorships": store.rows(
            "select s.paper_id, s.position, a.name, s.affiliation from papers_authorship s "
            "join papers_author a on a.id = s.author_id order by s.paper_id, s.position"
        ),
        "authors": store.rows("select name from papers_author order by name"),
    }


def assert_nothing_twice(content: dict) -> None:
    for part, key in (("papers", 1), ("authorships", 2), ("authors", 1)):
        counts = Counter(row[:key] for row in content[part])
        assert not [k for k, n in counts.items() if n > 1], f"duplicate {part}"
    links = Counter((paper, name) for paper, _, name, _ in content["authorships"])
    assert not [k for k, n in links.items() if n > 1], "an author linked twice to a paper"


def test_ingest_killed_mid_run_then_rerun_equals_one_clean_run(tmp_path):
    source = tmp_path / "papers.jsonl"
    lines = [paper_line(i) for i in range(1, RECORDS + 1)]
    lines += [paper_line(i, version=2) for i in range(1, RECORDS + 1, RECORDS // REVISED)]
    source.write_text("\n".join(lines) + "\n")
    with scratch_store(tmp_path, "clean") as clean, scratch_store(tmp_path, "killed") as killed:
        paperfeed(clean, "init")
        paperfeed(killed, "init")
        paperfeed(clean, "ingest", str(source), "--batch-size", str(BATCH), "--no-index")

        run = start_paperfeed(
            killed, "ingest", str(source), "--batch-size", str(BATCH), log=tmp_path / "ingest.log"
        )
        stored = wait_until(
            lambda: (n := killed.count("papers_paper")) >= 3 * BATCH and n,
            120,
            "three batches to be committed",
            every=0.02,
        )
        kill_9(run)
        at_kill = killed.count("papers_paper")
        rerun = paperfeed(killed, "ingest", str(source), "--batch-size", str(BATCH))
        paperfeed(killed, "index")
        index = script(killed, "index")
        expected, got = dump(clean), dump(killed)

    print(
        f"\ningest killed with {at_kill} of {RECORDS} papers committed (polled {stored}); "
        f"rerun: {rerun.stdout.decode().splitlines()[0]}"
    )
    assert 0 < at_kill < RECORDS, "the ingest should have been killed half-way"
    assert len(expected["papers"]) == RECORDS
    assert got == expected
    assert_nothing_twice(got)
    revised = [row for row in got["papers"] if row[2].endswith("(revised)")]
    assert len(revised) == REVISED and {row[1] for row in revised} == {2}
    assert index["index"] == index["visible"] and len(index["index"]) == RECORDS


PAGES = 20
PER_PAGE = 100


def oai_page(page: int) -> bytes:
    """Page ``page`` (0-based) of a ListRecords chain of PAGES pages of PER_PAGE records."""
    records = []
    for n in range(page * PER_PAGE + 1, (page + 1) * PER_PAGE + 1):
        records.append(
            f"<record><header><identifier>oai:arXiv.org:2502.{n:05d}</identifier>"
            f"<datestamp>2025-02-{1 + page % 28:02d}</datestamp><setSpec>cs</setSpec></header>"
            '<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/">'
            f"<id>2502.{n:05d}</id><created>2025-02-01</created><authors>"
            f"<author><keyname>Author{n % 211}</keyname><forenames>Ada</forenames></author>"
            "<author><keyname>Turing</keyname><forenames>Alan</forenames></author></authors>"
            f"<title>Harvested paper {n}</title><categories>cs.LG cs.AI</categories>"
            f"<abstract>  Abstract of harvested paper {n}.\n</abstract></arXiv></metadata></record>"
        )
    last = page == PAGES - 1
    token = (
        f'<resumptionToken cursor="{page * PER_PAGE}" completeListSize="{PAGES * PER_PAGE}">'
        f"{'' if last else f'fault|{page + 1}'}</resumptionToken>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        "<responseDate>2025-03-01T10:00:00Z</responseDate>"
        '<request verb="ListRecords">http://export.arxiv.org/oai2</request>'
        f"<ListRecords>{''.join(records)}{token}</ListRecords></OAI-PMH>"
    ).encode()


def serve_pages(fake: FakeArxiv, delay: float) -> None:
    fake.route(OAI, {"metadataPrefix": "arXiv"}, Reply(body=oai_page(0)))
    for page in range(1, PAGES):
        fake.route(OAI, {"resumptionToken": f"fault|{page}"}, Reply(body=oai_page(page)))
    answer = fake._answer

    def slowly(path, params):
        time.sleep(delay)  # a server that takes its time: the kill lands mid-harvest
        return answer(path, params)

    fake._answer = slowly
    fake.server.handle_error = lambda request, address: None  # the killed client's broken pipe


def test_fetch_killed_mid_harvest_then_resumed_equals_one_uninterrupted_harvest(tmp_path):
    with (
        FakeArxiv() as fake,
        scratch_store(tmp_path, "whole") as whole,
        scratch_store(tmp_path, "killed") as killed,
    ):
        serve_pages(fake, delay=0.05)
        args = [
            "fetch",
            "arxiv",
            "--set",
            "cs",
            "--from",
            "2025-02-01",
            "--until",
            "2025-03-01",
            "--base-url",
            fake.url + OAI,
        ]
        paperfeed(whole, "init")
        paperfeed(killed, "init")
        paperfeed(whole, *args)
        uninterrupted = len(fake.requests)

        run = start_paperfeed(killed, *args, log=tmp_path / "fetch.log")
        wait_until(
            lambda: killed.count("papers_paper") >= PAGES * PER_PAGE // 3,
            60,
            "a third of the harvest to be stored",
            every=0.01,
        )
        kill_9(run)
        at_kill = killed.count("papers_paper")
        checkpoint = killed.rows("select status, pages_done from ingest_harvestcheckpoint")
        before_resume = len(fake.requests)
        resumed = paperfeed(killed, *args)
        resumed_requests = [r.params for r in fake.requests[before_resume:]]
        final = killed.rows("select status, pages_done, records from ingest_harvestcheckpoint")
        expected, got = dump(whole), dump(killed)

    print(
        f"\nfetch killed with {at_kill} of {PAGES * PER_PAGE} papers stored, checkpoint "
        f"{checkpoint}; the resumed run made {len(resumed_requests)} requests "
        f"(an uninterrupted harvest {uninterrupted})"
    )
    assert 0 < at_kill < PAGES * PER_PAGE
    assert checkpoint and checkpoint[0][0] == "running"
    pages_done = checkpoint[0][1]
    # resumed from the saved token: no page before it was asked for again
    assert resumed_requests[0] == {"verb": "ListRecords", "resumptionToken": f"fault|{pages_done}"}
    assert len(resumed_requests) == PAGES - pages_done
    assert "resuming the interrupted harvest" in resumed.stderr.decode()
    assert final == [("done", PAGES, PAGES * PER_PAGE)]  # no page counted twice
    assert len(expected["papers"]) == PAGES * PER_PAGE
    assert got == expected
    assert_nothing_twice(got)

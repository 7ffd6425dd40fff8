"""OAI-PMH harvest throughput against a local server: records/s of fetch + parse + store.

    nice python benchmarks/bench_harvest.py [--papers 20000] [--page-size 1000]

Turns the first N papers of ../shared/data/arxiv-cs-2025-2026.jsonl.gz into OAI-PMH
``ListRecords`` pages in the ``arXiv`` metadata format (as arXiv sends them, chained by
resumption tokens), serves them from a ThreadingHTTPServer on 127.0.0.1, and harvests them with
``harvest_set`` into a fresh SQLite database with no delay between requests. A second run
(``restart=True``) measures the same pages when every record is already stored. Prints a
markdown table. With arXiv's own delay of 3 s between requests, a 1,000-record page every
~3 s (~330 records/s) is the ceiling on the real service, whatever this measures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

import orjson

SHARED = Path(
    os.environ.get("PAPERFEED_SHARED", Path(__file__).resolve().parents[1].parent / "shared")
)
RECENT = SHARED / "data" / "arxiv-cs-2025-2026.jsonl.gz"
OAI_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">\n'
    "<responseDate>2026-07-02T00:00:00Z</responseDate>\n"
    '<request verb="ListRecords">http://export.arxiv.org/oai2</request>\n<ListRecords>\n'
)


def oai_record(paper: dict) -> str:
    authors = "".join(
        f"<author><keyname>{escape(name.split()[-1])}</keyname>"
        f"<forenames>{escape(' '.join(name.split()[:-1]))}</forenames></author>"
        for name in paper["authors"]
        if name.split()
    )
    listed = paper["listed"]
    return (
        f"<record><header><identifier>oai:arXiv.org:{paper['id']}</identifier>"
        f"<datestamp>{listed}</datestamp><setSpec>cs</setSpec></header><metadata>"
        '<arXiv xmlns="http://arxiv.org/OAI/arXiv/">'
        f"<id>{paper['id']}</id><created>{listed}</created><authors>{authors}</authors>"
        f"<title>{escape(paper['title'])}</title>"
        f"<categories>{' '.join(paper['categories'])}</categories>"
        f"<comments>{escape(paper.get('comment') or '')}</comments>"
        f"<abstract>{escape(paper['abstract'])}</abstract></arXiv></metadata></record>\n"
    )


def build_pages(papers: int, page_size: int) -> tuple[list[bytes], dt.date, dt.date]:
    with gzip.open(RECENT, "rb") as fh:
        rows = [orjson.loads(line) for _, line in zip(range(papers), fh, strict=False)]
    rows.sort(key=lambda p: p["listed"])  # arXiv lists by datestamp
    pages = []
    for number, start in enumerate(range(0, len(rows), page_size)):
        chunk = rows[start : start + page_size]
        last = start + page_size >= len(rows)
        token = "" if last else f"bench|{number + 1}"
        body = OAI_HEAD + "".join(oai_record(p) for p in chunk)
        body += f'<resumptionToken cursor="{start}" completeListSize="{len(rows)}">{token}'
        body += "</resumptionToken>\n</ListRecords>\n</OAI-PMH>\n"
        pages.append(body.encode())
    first, last_day = (dt.date.fromisoformat(rows[i]["listed"]) for i in (0, -1))
    return pages, first, last_day


def serve(pages: list[bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            params = dict(parse_qsl(urlsplit(self.path).query))
            token = params.get("resumptionToken", "bench|0")
            body = pages[int(token.split("|")[1])]
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=20000, help="Papers to harvest.")
    parser.add_argument("--page-size", type=int, default=1000, help="Records per OAI page.")
    args = parser.parse_args()
    if not RECENT.exists():
        sys.exit(f"{RECENT} is absent")
    home = tempfile.mkdtemp(prefix="paperfeed-bench-harvest-")
    os.environ.update(PAPERFEED_HOME=home, DATABASE_URL="", PAPERFEED_HARVEST_DELAY="0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from paperfeed.ingest.harvest import harvest_set

    call_command("migrate", interactive=False, verbosity=0)
    pages, first, last = build_pages(args.papers, args.page_size)
    megabytes = sum(map(len, pages)) / 1e6
    server = serve(pages)
    url = f"http://127.0.0.1:{server.server_address[1]}/oai"
    rows = []
    for label, restart in (("fresh store", False), ("all stored already", True)):
        began = time.perf_counter()
        summary = harvest_set("cs", from_date=first, until_date=last, base_url=url, restart=restart)
        seconds = time.perf_counter() - began
        records = summary.new + summary.updated + summary.unchanged
        rows.append((label, summary.pages, records, summary.new, seconds, records / seconds))
    server.shutdown()
    print(
        f"{args.papers:,} papers, {len(pages)} pages of {args.page_size}, {megabytes:.1f} MB XML,"
    )
    print(f"SQLite, delay 0, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    print("| run | pages | records | new | seconds | records/s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, n_pages, records, new, seconds, rate in rows:
        print(f"| {label} | {n_pages} | {records:,} | {new:,} | {seconds:.1f} | {rate:,.0f} |")


if __name__ == "__main__":
    main()

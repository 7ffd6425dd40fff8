"""CPU time of rendering the search page (the template only), on a built home.

    nice python benchmarks/bench_search_render.py --home /tmp/pf-221k [--repeat 2]

Requests ``/search?q=…`` for bench_hybrid's 40 queries ``--repeat`` times through Django's test
client (anonymous, page cache off) and times only the ``render`` call of
:mod:`paperfeed.web.search_page` (20 cards with snippets, reasons, authors, badges and the vote
button) with ``time.thread_time``: this thread's CPU, not that of the process's background
threads (tantivy's, the query-embedding thread), which ``process_time`` adds at random. Prints
p50 / p95 in ms. Run it with ``PYTHONPATH=OTHER/src`` to time another
tree on the same home.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))
from bench_hybrid import QUERIES  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    os.environ.update(
        PAPERFEED_HOME=str(args.home),
        DATABASE_URL="",
        PAPERFEED_ALLOWED_HOSTS="localhost",
        PAPERFEED_PAGE_CACHE_SECONDS="0",
        DJANGO_SETTINGS_MODULE="paperfeed.settings",
    )
    import django

    django.setup()
    from django.test import Client

    from paperfeed.web import search_page

    times: list[float] = []
    render = search_page.render

    def timed_render(*a, **k):
        start = time.thread_time()
        try:
            return render(*a, **k)
        finally:
            times.append(time.thread_time() - start)

    search_page.render = timed_render
    client = Client(HTTP_HOST="localhost")
    for query in QUERIES[:3]:  # warm-up: templates compiled, indexes open
        client.get("/search", {"q": query})
    times.clear()
    for _ in range(args.repeat):
        for query in QUERIES:
            response = client.get("/search", {"q": query})
            if response.status_code != 200:
                sys.exit(f"/search?q={query}: {response.status_code}")
    times.sort()
    p50, p95 = statistics.median(times) * 1000, times[int(0.95 * (len(times) - 1))] * 1000
    print(f"search page rendering, CPU: p50 {p50:.1f} ms  p95 {p95:.1f} ms ({len(times)} pages)")


if __name__ == "__main__":
    main()

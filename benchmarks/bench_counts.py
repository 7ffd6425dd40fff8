"""Server time of category pages and of the visible-paper counts, on an existing store.

Point it at a built store (the load benchmark's PostgreSQL database, or a bench_web SQLite home)
through the usual settings, e.g.::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/paperfeed_load \\
    PAPERFEED_HOME=/tmp/paperfeed-load python benchmarks/bench_counts.py

It times, in-process (django.test.Client: middleware, views, queries, templates), the median of
``--repeat`` runs after one warm-up of: the COUNT of a large category, the COUNT of all visible
papers (what /metrics and the index catch-up ask), and three category pages. Prints a markdown
table with the database and paper count.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def median_ms(action, repeat: int) -> float:
    action()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per row (median)")
    parser.add_argument("--category", default="cs.CL", help="the large category to count")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from paperfeed.papers.models import Paper

    client = Client(HTTP_HOST="127.0.0.1")

    def page(path: str):
        def get():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return get

    in_category = Paper.objects.visible().in_category(args.category)
    rows = [
        (f"COUNT of {args.category} ({in_category.count():,} papers)", in_category.count),
        ("COUNT of all visible papers", Paper.objects.visible().count),
        (f"GET /categories/{args.category}", page(f"/categories/{args.category}")),
        ("GET /categories/cs.RO", page("/categories/cs.RO")),
        ("GET /categories/cs", page("/categories/cs")),
    ]
    print(f"{connection.vendor}, {Paper.objects.visible().count():,} visible papers")
    print("| | median ms |\n|---|---:|")
    for name, action in rows:
        print(f"| {name} | {median_ms(action, args.repeat):.1f} |")


if __name__ == "__main__":
    main()

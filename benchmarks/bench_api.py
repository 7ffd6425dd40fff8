"""Server time of the JSON API (HF-compatible and native) with the 74,728-paper shared corpus.

Uses the same data home as ``bench_web.py`` (built once: ingest, precomputed embeddings,
search indexes; then Zipf upvotes from 500 users, submissions and comments) and times requests
in-process with django.test.Client (server time: middleware, auth, queries, JSON; no network).
Prints a markdown table.

    nice python benchmarks/bench_api.py [--home DIR] [--requests 100]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote_plus

import bench_web


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, help="Data directory to build or reuse.")
    parser.add_argument("--requests", type=int, default=100, help="Requests per endpoint.")
    args = parser.parse_args()
    if not bench_web.CORPUS.exists():
        sys.exit(f"{bench_web.CORPUS} is absent")
    home = args.home or Path(tempfile.mkdtemp(prefix="paperfeed-bench-api-"))
    home.mkdir(parents=True, exist_ok=True)
    if not (home / ".bench-ready").exists():
        bench_web.build_home(home, vectors=True)
    os.environ.update(
        PAPERFEED_HOME=str(home),
        DATABASE_URL="",
        PAPERFEED_DEBUG="0",
        PAPERFEED_ALLOWED_HOSTS="testserver",
        DJANGO_SETTINGS_MODULE="paperfeed.settings",
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from paperfeed.accounts.tokens import create_token
    from paperfeed.papers import lists
    from paperfeed.papers.models import Paper

    community = bench_web.add_community()
    bench_web.planner_statistics()
    rng = random.Random(5)
    n = args.requests
    latest = lists.latest_day()
    recent = Paper.objects.filter(feed_day__gte=latest.replace(day=1))
    days = sorted(set(recent.values_list("feed_day", flat=True)))
    papers = list(recent.values_list("arxiv_id", flat=True))
    member = get_user_model().objects.get(username="bench001")
    anonymous = Client()
    with_token = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(member, 'bench_api')}")

    def each(make_url) -> list[str]:
        return [make_url() for _ in range(n)]

    def query() -> str:
        return quote_plus(rng.choice(bench_web.QUERIES))

    timed = bench_web.timed
    results = [
        (
            "HF `/api/daily_papers?date=` (50 a page)",
            timed(anonymous, each(lambda: f"/api/daily_papers?date={rng.choice(days)}")),
        ),
        (
            "HF `/api/daily_papers?sort=trending`",
            timed(anonymous, ["/api/daily_papers?sort=trending"] * n),
        ),
        (
            "HF `/api/daily_papers?month=&p=`",
            timed(
                anonymous,
                each(lambda: f"/api/daily_papers?month={latest:%Y-%m}&p={rng.randrange(5)}"),
            ),
        ),
        (
            "HF `/api/papers/{id}`",
            timed(anonymous, each(lambda: f"/api/papers/{rng.choice(papers)}")),
        ),
        (
            "HF `/api/papers/search?q=` (hybrid, 50)",
            timed(anonymous, each(lambda: f"/api/papers/search?q={query()}")),
        ),
        (
            "`/api/v1/feeds/daily` (Bearer token)",
            timed(with_token, each(lambda: f"/api/v1/feeds/daily?date={rng.choice(days)}")),
        ),
        (
            "`/api/v1/feeds/trending` (Bearer token)",
            timed(with_token, ["/api/v1/feeds/trending"] * n),
        ),
        (
            "`/api/v1/search?q=` (hybrid, 20)",
            timed(anonymous, each(lambda: f"/api/v1/search?q={query()}")),
        ),
        (
            "`/api/v1/search?q=&category=&since=` (hybrid, 20, filters)",
            timed(
                anonymous,
                each(lambda: bench_web.filtered_search_url(rng, latest, "/api/v1/search")),
            ),
        ),
        (
            "`/api/v1/search?q=&mode=lexical` (20)",
            timed(anonymous, each(lambda: f"/api/v1/search?q={query()}&mode=lexical")),
        ),
        (
            "`/api/v1/papers/{id}/similar`",
            timed(anonymous, each(lambda: f"/api/v1/papers/{rng.choice(papers)}/similar")),
        ),
    ]
    print(f"\n{Paper.objects.count():,} papers, {community}, data in {home}\n")
    print("| endpoint | requests | p50 ms | p95 ms | max ms |\n| --- | ---: | ---: | ---: | ---: |")
    for label, times in results:
        print(bench_web.row(label, times))


if __name__ == "__main__":
    main()

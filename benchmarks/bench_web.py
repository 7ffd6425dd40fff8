"""Server time of the home, paper and search pages with the 74,728-paper shared corpus.

Builds a fresh SQLite home (ingest --no-index, precomputed embeddings imported, search indexes
rebuilt), adds realistic votes (Zipf-distributed upvotes from 500 users on the last 14 feed
days, a few submissions and comments) and refreshes the planner statistics, then times requests
in-process with django.test.Client (server time: middleware, views, queries, templates; no
network) and prints a markdown table. Besides plain searches it times the search form's filters
(a category from cs.CL, a third of the corpus, to cs.CR, 1 %; the last 7, 30 or 90 days; both).

    nice python benchmarks/bench_web.py [--home DIR] [--requests 200] [--no-vectors]

``--home DIR`` reuses (or builds once into) DIR, so later runs skip the setup.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote_plus

DATA = Path(__file__).resolve().parents[2] / "shared/data"
CORPUS = DATA / "arxiv-cs-2025-2026.jsonl.gz"
VECTORS = DATA / "arxiv-cs-2025-2026.all-MiniLM-L6-v2.f16.npy"
VECTOR_IDS = DATA / "arxiv-cs-2025-2026.all-MiniLM-L6-v2.ids.txt"
USERS = 500
RECENT_DAYS = 14
QUERIES = [
    "kv cache compression",
    "diffusion models for video generation",
    "retrieval augmented generation",
    "graph neural networks",
    "reinforcement learning from human feedback",
    "speculative decoding",
    "federated learning privacy",
    "vision language models hallucination",
    "mixture of experts",
    "code generation benchmark",
    "protein structure prediction",
    "autonomous driving planning",
    "quantization of large language models",
    "chain of thought reasoning",
    "3D gaussian splatting",
    "author:bengio",
    "cat:cs.CR adversarial attacks",
    '"large language models" evaluation',
    "low-rank adaptation fine-tuning",
    "time series forecasting transformer",
]
FILTER_CATEGORIES = ["cs.CL", "cs.CV", "cs.LG", "cs.RO", "cs.IR", "cs.CR", "cs.HC", "eess.IV"]
"""The search form's category filter: broad ones (a third of the corpus) to rare ones (1 %)."""
FILTER_DAYS = [7, 30, 90]
"""The search form's date filter: papers of the last week, month or quarter."""


def cli(*args: str, env: dict) -> None:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "paperfeed", *args], env=env, check=True, stdout=subprocess.DEVNULL
    )
    print(
        f"  paperfeed {' '.join(args[:2])}: {time.perf_counter() - started:.0f} s", file=sys.stderr
    )


def build_home(home: Path, vectors: bool) -> None:
    env = {**os.environ, "PAPERFEED_HOME": str(home), "DATABASE_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    print(f"building {home} ...", file=sys.stderr)
    cli("init", env=env)
    cli("ingest", str(CORPUS), "--no-index", env=env)
    if vectors and VECTORS.exists():
        cli("embed", "--import", str(VECTORS), "--ids", str(VECTOR_IDS), "--no-sync", env=env)
    cli("index", "--rebuild", env=env)
    (home / ".bench-ready").write_text("ok\n")


def add_community(seed: int = 7) -> dict:
    """500 users, Zipf upvotes on the last 14 feed days, submissions and comments."""
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from paperfeed.community.models import Comment, Submission, Vote
    from paperfeed.community.votes import recount_upvotes
    from paperfeed.papers import lists
    from paperfeed.papers.models import Paper

    user_model = get_user_model()
    if user_model.objects.filter(username="bench000").exists():
        return {"votes": Vote.objects.count()}
    rng = np.random.default_rng(seed)
    latest = lists.latest_day()
    recent = list(
        Paper.objects.filter(feed_day__gt=latest - dt.timedelta(days=RECENT_DAYS)).values_list(
            "arxiv_id", flat=True
        )
    )
    with transaction.atomic():
        users = user_model.objects.bulk_create(
            [
                user_model(
                    username=f"bench{i:03d}", email=f"bench{i:03d}@example.org", password="!"
                )
                for i in range(USERS)
            ]
        )
        users = list(user_model.objects.filter(username__startswith="bench").order_by("pk"))
        votes = []
        counts = np.minimum(rng.zipf(1.7, size=len(recent)) - 1, USERS)
        for paper_id, count in zip(recent, counts, strict=True):
            for index in rng.choice(USERS, size=int(count), replace=False):
                votes.append(Vote(user=users[index], paper_id=paper_id))
        Vote.objects.bulk_create(votes, batch_size=5000)
        recount_upvotes(recent)
        for i, paper_id in enumerate(random.Random(seed).sample(recent, 300)):
            Submission.objects.create(paper_id=paper_id, user=users[i % USERS])
            Comment.objects.create(
                paper_id=paper_id,
                user=users[(i * 7) % USERS],
                body="Interesting.",
                body_html="<p>Interesting.</p>",
            )
    return {"votes": len(votes), "recent_papers": len(recent), "users": USERS}


def filtered_search_url(rng: random.Random, latest: dt.date, base: str = "/search") -> str:
    """A search with the form's filters: a category, a date range or both."""
    params = {"q": rng.choice([q for q in QUERIES if ":" not in q])}
    kind = rng.choice(["category", "since", "both"])
    if kind in ("category", "both"):
        params["category"] = rng.choice(FILTER_CATEGORIES)
    if kind in ("since", "both"):
        params["since"] = (latest - dt.timedelta(days=rng.choice(FILTER_DAYS))).isoformat()
    return base + "?" + "&".join(f"{k}={quote_plus(v)}" for k, v in params.items())


def planner_statistics() -> None:
    """ANALYZE, as `paperfeed ingest`/`index` do at the end: the votes, submissions and comments
    add_community() wrote afterwards change the row counts the planner should know."""
    from paperfeed.papers.maintenance import update_statistics

    result = update_statistics()
    print(f"  planner statistics: {result['seconds']:.2f} s", file=sys.stderr)


def timed(client, urls: list[str], warmup: int = 10) -> list[float]:
    print(f"  timing {urls[0]} ...", file=sys.stderr, flush=True)
    for url in urls[:warmup]:
        assert client.get(url).status_code == 200, url
    times = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def row(label: str, times: list[float]) -> str:
    q = statistics.quantiles(times, n=100, method="inclusive")
    return (
        f"| {label} | {len(times)} | {statistics.median(times):.1f} | {q[94]:.1f} | "
        f"{max(times):.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, help="Data directory to build or reuse.")
    parser.add_argument("--requests", type=int, default=200, help="Requests per page kind.")
    parser.add_argument(
        "--no-vectors",
        action="store_true",
        help="Do not import the precomputed embeddings (lexical search only).",
    )
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} is absent")
    home = args.home or Path(tempfile.mkdtemp(prefix="paperfeed-bench-web-"))
    home.mkdir(parents=True, exist_ok=True)
    if not (home / ".bench-ready").exists():
        build_home(home, vectors=not args.no_vectors)
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

    from paperfeed.papers import lists
    from paperfeed.papers.models import Paper

    community = add_community()
    planner_statistics()
    rng = random.Random(11)
    n = args.requests
    latest = lists.latest_day()
    papers = list(
        Paper.objects.filter(feed_day__gte=latest.replace(day=1)).values_list("arxiv_id", flat=True)
    )
    anonymous, member = Client(), Client()
    member.force_login(get_user_model().objects.get(username="bench001"))
    results = [
        ("home `/` (anonymous)", timed(anonymous, ["/"] * n)),
        ("home `/` (logged in)", timed(member, ["/"] * n)),
        ("trending `/trending`", timed(anonymous, ["/trending"] * n)),
        (
            "paper `/papers/<id>`",
            timed(anonymous, [f"/papers/{rng.choice(papers)}" for _ in range(n)]),
        ),
        (
            "search `/search?q=` (hybrid)",
            timed(anonymous, [f"/search?q={quote_plus(rng.choice(QUERIES))}" for _ in range(n)]),
        ),
        (
            "search `/search?q=&category=&since=` (hybrid, filters)",
            timed(anonymous, [filtered_search_url(rng, latest) for _ in range(n)]),
        ),
        (
            "search `/search?q=&mode=lexical`",
            timed(
                anonymous,
                [f"/search?q={quote_plus(rng.choice(QUERIES))}&mode=lexical" for _ in range(n)],
            ),
        ),
    ]
    print(f"\n{Paper.objects.count():,} papers, {community}, data in {home}\n")
    print("| page | requests | p50 ms | p95 ms | max ms |\n| --- | ---: | ---: | ---: | ---: |")
    for label, times in results:
        print(row(label, times))


if __name__ == "__main__":
    main()

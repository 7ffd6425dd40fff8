"""Page cache under a stream of votes: paper pages kept (scoped tokens) against all pages dropped.

    nice python benchmarks/bench_cache_votes.py [--home DIR] [--reads 6000]
        [--votes-every 20,100] [--json FILE]

On ``bench_cache.py``'s SQLite home (built once into ``--home``: the 74,728 shared papers, 500
users' upvotes), in this process (``django.test.Client``, every middleware, the page cache on,
60 s entries): anonymous readers ask for the 300 most upvoted papers of the latest month (each
read picks one at random, Zipf-weighted as readers favour the top) and, one read in five, the
home page; after every ``--votes-every`` reads a random member toggles an upvote on a random one
of those papers (``community.votes.set_vote``). Two invalidation schemes, same reads and votes
(same seed):

- ``global``: a vote replaces the one token every page shares (main before issue 17's scoping:
  ``pagecache.paper_changed`` patched to ``pagecache.changed``);
- ``scoped``: this code: a vote replaces its paper's token and the lists' only.

Per scheme and route: the share of reads served from the cache and the CPU milliseconds per read
(``time.process_time``, votes excluded), so other jobs on the machine barely move it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import bench_cache
import bench_web


def reads_and_votes(plan: Path, reads: int, votes_every: int, seed: int = 17) -> list[tuple]:
    """The same sequence for both schemes: ("read", path) and ("vote", user id, paper, up)."""
    from django.contrib.auth import get_user_model

    rng = random.Random(seed)
    papers = json.loads(plan.read_text())["papers"]
    weights = [1 / (rank + 1) for rank in range(len(papers))]  # Zipf, s = 1
    users = list(get_user_model().objects.order_by("pk").values_list("pk", flat=True)[:500])
    steps: list[tuple] = []
    for i in range(1, reads + 1):
        if rng.random() < 0.2:
            steps.append(("read", "/"))
        else:
            steps.append(("read", f"/papers/{rng.choices(papers, weights)[0]}"))
        if i % votes_every == 0:
            steps.append(("vote", rng.choice(users), rng.choice(papers), rng.random() < 0.7))
    return steps


def run(steps: list[tuple], scheme: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from paperfeed.community import votes
    from paperfeed.community.models import Vote
    from paperfeed.ops import pagecache

    pairs = {(step[1], step[2]) for step in steps if step[0] == "vote"}
    voted_before = {
        pair
        for pair in Vote.objects.filter(user_id__in={u for u, _ in pairs}).values_list(
            "user_id", "paper_id"
        )
        if pair in pairs
    }
    users = {u.pk: u for u in get_user_model().objects.order_by("pk")[:500]}
    scoped = pagecache.paper_changed
    if scheme == "global":
        pagecache.paper_changed = lambda paper_id, reason="": pagecache.changed(reason)
    try:
        pagecache.changed("a new scheme")  # nothing stored before is served
        client = Client()
        counts: dict[str, dict] = {}
        for step in steps:
            if step[0] == "vote":
                _, user, paper, up = step
                votes.set_vote(users[user], paper, up)
                continue
            path = step[1]
            route = "home" if path == "/" else "paper"
            started = time.process_time()
            response = client.get(path)
            cpu = time.process_time() - started
            assert response.status_code == 200, path
            hit = response.wsgi_request._page_cache.hit
            c = counts.setdefault(route, {"reads": 0, "hits": 0, "cpu": 0.0})
            c["reads"] += 1
            c["hits"] += hit
            c["cpu"] += cpu
    finally:
        pagecache.paper_changed = scoped
        for user, paper in pairs:  # the next scheme starts from the same votes
            votes.set_vote(users[user], paper, (user, paper) in voted_before)
    return {
        route: {
            "reads": c["reads"],
            "hit_rate": round(c["hits"] / c["reads"], 3),
            "cpu_ms_per_read": round(1000 * c["cpu"] / c["reads"], 2),
        }
        for route, c in counts.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, help="Data directory to build or reuse.")
    parser.add_argument("--reads", type=int, default=6000, help="Anonymous reads per run.")
    parser.add_argument("--votes-every", default="20,100", help="Reads between two votes.")
    parser.add_argument("--json", type=Path, help="Write the results here too.")
    args = parser.parse_args()
    if not bench_web.CORPUS.exists():
        sys.exit(f"{bench_web.CORPUS} is absent")
    args.home = args.home or Path(tempfile.mkdtemp(prefix="paperfeed-bench-cache-"))
    args.home.mkdir(parents=True, exist_ok=True)
    plan = bench_cache.prepare(args.home)
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.PAPERFEED_PAGE_CACHE_SECONDS = 60
    results = {}
    print("| a vote every | scheme | route | reads | served from the cache | CPU ms a read |")
    print("| ---: | --- | --- | ---: | ---: | ---: |")
    for every in (int(n) for n in args.votes_every.split(",")):
        steps = reads_and_votes(plan, args.reads, every)
        for scheme in ("global", "scoped"):
            result = run(steps, scheme)
            results[f"{every}/{scheme}"] = result
            for route, r in result.items():
                print(
                    f"| {every} reads | {scheme} | {route} | {r['reads']} | "
                    f"{100 * r['hit_rate']:.1f} % | {r['cpu_ms_per_read']} |",
                    flush=True,
                )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

"""Time of the ranked lists (day, week, month, category, trending) on the 74,728-paper corpus,
by ranking: what the Hot default costs next to the old default (Most upvoted).

Builds a SQLite home once (``paperfeed init``, ``ingest --no-index``: lists need no search
index), adds Zipf upvotes from 300 users on the last 14 feed days and synthetic external
signals shaped like the real ones — Hugging Face upvotes on ~30 papers a day (Zipf), stars on
most papers whose arXiv text links code (ingest finds the links; log-normal stars, weekly gains
on the last 60 days' papers), Semantic Scholar citations on
every paper growing with its age (so most older papers have some: Hot's worst case, every row a
candidate) — then times each list function in-process (best and median of ``--repeat`` runs,
the page's papers hydrated as the views show them) and the month page through Django's test
client. Prints a markdown table.

    nice python benchmarks/bench_rankings.py [--home DIR] [--repeat 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared/data"
CORPUS = DATA / "arxiv-cs-2025-2026.jsonl.gz"
USERS = 300
RECENT_DAYS = 14


def build_home(home: Path) -> None:
    env = {**os.environ, "PAPERFEED_HOME": str(home), "DATABASE_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for args in (("init",), ("ingest", str(CORPUS), "--no-index")):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "paperfeed", *args],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"  paperfeed {args[0]}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    (home / ".bench-ready").write_text("ok\n")


def add_votes_and_signals(seed: int = 7) -> dict:
    """Upvotes on the last 14 feed days and synthetic signals on every paper (once per home)."""
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from paperfeed.community.models import Vote
    from paperfeed.community.votes import recount_upvotes
    from paperfeed.papers import lists
    from paperfeed.papers.models import Paper
    from paperfeed.signals.models import PaperSignals

    user_model = get_user_model()
    if user_model.objects.filter(username="rank000").exists():
        return {"signals": PaperSignals.objects.count(), "votes": Vote.objects.count()}
    rng = np.random.default_rng(seed)
    latest = lists.latest_day()
    papers = list(Paper.objects.order_by("arxiv_id").values_list("arxiv_id", "feed_day"))
    recent = [pid for pid, day in papers if day and day > latest - dt.timedelta(RECENT_DAYS)]
    linked = PaperSignals.objects.in_bulk()  # ingest found code links in the arXiv text
    with transaction.atomic():
        user_model.objects.bulk_create(
            user_model(username=f"rank{i:03d}", email=f"rank{i:03d}@example.org", password="!")
            for i in range(USERS)
        )
        users = list(user_model.objects.filter(username__startswith="rank").order_by("pk"))
        counts = np.minimum(rng.zipf(1.7, size=len(recent)) - 1, USERS)
        votes = [
            Vote(user=users[i], paper_id=pid)
            for pid, count in zip(recent, counts, strict=True)
            for i in rng.choice(USERS, size=int(count), replace=False)
        ]
        Vote.objects.bulk_create(votes, batch_size=5000)
        recount_upvotes(recent)
        create, update = [], []
        for pid, day in papers:
            age = (latest - day).days if day else 400
            row = linked.get(pid) or PaperSignals(paper_id=pid)
            code = row.has_code
            stars = int(rng.lognormal(3.4, 1.6)) if code and rng.random() < 0.7 else None
            on_hf = rng.random() < 30 / 180
            row.hf_upvotes = int(min(rng.zipf(1.6), 600)) if on_hf else None
            row.stars = stars
            row.stars_gained_week = (
                int(stars * rng.uniform(0, 0.3)) if stars is not None and age < 60 else None
            )
            row.citations = int(rng.poisson(max(age, 1) / 40))
            (update if pid in linked else create).append(row)
        PaperSignals.objects.bulk_create(create, batch_size=5000)
        fields = ["hf_upvotes", "stars", "stars_gained_week", "citations"]
        PaperSignals.objects.bulk_update(update, fields, batch_size=2000)
    return {"signals": len(create) + len(update), "votes": len(votes), "with_code": len(linked)}


def timed(call, repeat: int) -> tuple[float, float]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return min(seconds) * 1000, statistics.median(seconds) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="reuse (or build once into) this directory")
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    home = options.home or Path(tempfile.mkdtemp(prefix="paperfeed-bench-rank-"))
    if not (home / ".bench-ready").exists():
        build_home(home)
    os.environ.update(PAPERFEED_HOME=str(home), DATABASE_URL="")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    from django.test import Client

    from paperfeed.papers import lists
    from paperfeed.papers.models import Paper

    print(add_votes_and_signals(), file=sys.stderr)
    latest = lists.latest_day()
    year, week, _ = latest.isocalendar()
    month = (latest - dt.timedelta(days=40)).replace(day=1)  # a whole month, not the last one
    n_month = lists.days_between(*lists.month_bounds(month.year, month.month)).count()
    cases = [
        (
            f"day {latest} ({lists.days_between(latest, latest).count()} papers)",
            lambda sort: lists.day_feed(latest, sort=sort),
        ),
        (f"week {year}-W{week:02d}", lambda sort: lists.week_feed(year, week, sort=sort)),
        (
            f"month {month:%Y-%m} ({n_month} papers)",
            lambda sort: lists.month_feed(month.year, month.month, sort=sort),
        ),
        (
            f"month {month:%Y-%m}, has code",
            lambda sort: lists.month_feed(month.year, month.month, sort=sort, has_code=True),
        ),
        (
            f"category cs ({Paper.objects.count()} papers)",
            lambda sort: lists.category_papers("cs", sort=sort),
        ),
    ]
    print("| list | sort | best ms | median ms |\n| --- | --- | ---: | ---: |")
    for name, call in cases:
        for sort in ("upvotes", "hot", "stars"):
            best, median = timed(lambda call=call, sort=sort: call(sort), options.repeat)
            print(f"| {name} | {sort} | {best:.0f} | {median:.0f} |")
    for sort in lists.TRENDING_SORTS:
        best, median = timed(lambda sort=sort: lists.trending(sort=sort), options.repeat)
        print(f"| trending | {sort} | {best:.0f} | {median:.0f} |")
    client = Client(HTTP_HOST="localhost")  # a host PAPERFEED_ALLOWED_HOSTS names by default
    for sort in ("upvotes", "hot"):
        url = f"/month/{month:%Y-%m}?sort={sort}"
        assert client.get(url).status_code == 200, url
        best, median = timed(lambda url=url: client.get(url), options.repeat)
        print(f"| page {url} (whole response) | {sort} | {best:.0f} | {median:.0f} |")


if __name__ == "__main__":
    main()

"""Digest build time: 10,000 subscribers with personal profiles over the 74,728-paper store.

    nice python benchmarks/bench_digests.py [--home /tmp/paperfeed-bench-digests] [--subscribers N]

Stores ../shared/data/arxiv-cs-2025-2026.jsonl.gz in a SQLite database under --home, imports the
shared all-MiniLM-L6-v2 vectors and builds the search indexes (once; later runs reuse --home),
then creates simulated subscribers (once):

- 70 % hold an account that upvoted 5-40 papers of one topic (a random seed paper of the twelve
  weeks before the digest period and its nearest neighbours in those weeks); a fifth of them
  also clicked "less like this" on 3 papers;
- 30 % follow one or two categories; 20 % have a saved search (from a pool of 40 queries);
- every subscriber asks for the trending top 10; 1,000 of them were already mailed 5 papers of
  the period.

It times :func:`paperfeed.digests.content.build_all` for every subscriber over one weekly period
(the ISO week of Monday 2026-06-22, 07:00 UTC), sending excluded, and prints what was built.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
SHARED = Path(os.environ.get("PAPERFEED_SHARED", HERE.parents[2] / "shared")) / "data"
RECENT = SHARED / "arxiv-cs-2025-2026.jsonl.gz"
VECTORS = SHARED / "arxiv-cs-2025-2026.all-MiniLM-L6-v2.f16.npy"
IDS = SHARED / "arxiv-cs-2025-2026.all-MiniLM-L6-v2.ids.txt"

START = dt.datetime(2026, 6, 22, 7, tzinfo=dt.UTC)
END = START + dt.timedelta(days=7)
TRAIN_DAYS = 84
CATEGORIES = ["cs.LG", "cs.CL", "cs.CV", "cs.AI", "cs.RO", "cs.CR", "cs.SE", "cs.IR", "cs.DC"]
QUERIES = [
    "kv cache offloading",
    "speculative decoding",
    "diffusion models for video generation",
    "graph neural networks for molecules",
    "retrieval augmented generation hallucination",
    "mixture of experts routing",
    "reinforcement learning from human feedback",
    "vision language models",
    "federated learning privacy",
    "neural radiance fields",
    "code generation benchmarks",
    "autonomous driving planning",
    "time series forecasting",
    "membership inference attacks",
    "quantization of large language models",
    "robot grasping",
    "protein structure prediction",
    "speech recognition",
    "recommender systems",
    "knowledge graphs",
    "text to image diffusion",
    "contrastive learning",
    "large language model agents",
    "program synthesis",
    "medical image segmentation",
    "point cloud registration",
    "adversarial examples",
    "continual learning",
    "multi-agent reinforcement learning",
    "sparse attention long context",
    "chain of thought reasoning",
    "model merging",
    "tabular data",
    "audio generation",
    "software vulnerability detection",
    "fairness in machine learning",
    "3d gaussian splatting",
    "instruction tuning data",
    "embodied agents",
    "weather forecasting",
]


def setup(home: Path) -> None:
    os.environ["PAPERFEED_HOME"] = str(home)
    os.environ["DATABASE_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    home.mkdir(parents=True, exist_ok=True)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def timed(label: str, fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    print(f"  {label}: {seconds:.1f} s", flush=True)
    return result, seconds


def ensure_store() -> None:
    from paperfeed.ingest.files import ingest_file
    from paperfeed.papers.models import Paper
    from paperfeed.search import embedding_job
    from paperfeed.search.sync import sync_indexes

    if Paper.objects.count() < 74_728:
        result, _ = timed(f"ingest {RECENT.name}", ingest_file, str(RECENT))
        if result.error:
            sys.exit(f"ingest failed: {result.error}")
    if not embedding_job.model_counts():
        timed("import shared vectors", embedding_job.import_vectors, VECTORS, IDS)
    timed("sync search indexes", sync_indexes, progress=False)


def ensure_subscribers(count: int, rng: np.random.Generator) -> None:
    from django.contrib.auth import get_user_model

    from paperfeed.community.models import Vote
    from paperfeed.digests.models import DigestSend, Feedback, MailedPaper, SavedSearch, Subscriber
    from paperfeed.papers.models import Paper

    if Subscriber.objects.filter(email__endswith="@bench.invalid").count() >= count:
        print(f"  {count:,} simulated subscribers already stored")
        return
    started = time.perf_counter()
    ids = IDS.read_text().split()
    vectors = np.load(VECTORS).astype(np.float32)
    row = {pid: i for i, pid in enumerate(ids)}
    first_train = START.date() - dt.timedelta(days=TRAIN_DAYS)
    train_ids = list(
        Paper.objects.filter(feed_day__gte=first_train, feed_day__lt=START.date()).values_list(
            "arxiv_id", flat=True
        )
    )
    train = vectors[[row[pid] for pid in train_ids]]
    period_ids = list(
        Paper.objects.filter(feed_day__gte=START.date(), feed_day__lt=END.date()).values_list(
            "arxiv_id", flat=True
        )
    )
    User = get_user_model()
    n_users = int(count * 0.7)
    users = [User(username=f"bench{i}", email=f"bench{i}@bench.invalid") for i in range(n_users)]
    for user in users:
        user.set_unusable_password()
    users = User.objects.bulk_create(users, batch_size=2000)
    subscribers = []
    for i in range(count):
        cats = (
            rng.choice(CATEGORIES, rng.integers(1, 3), replace=False) if rng.random() < 0.3 else []
        )
        subscribers.append(
            Subscriber(
                email=f"reader{i}@bench.invalid",
                user=users[i] if i < n_users else None,
                status="active",
                frequency="weekly",
                top_n=10,
                categories=" ".join(cats),
            )
        )
    subscribers = Subscriber.objects.bulk_create(subscribers, batch_size=2000)
    votes, feedback = [], []
    for start in range(0, n_users, 1000):
        seeds = rng.integers(0, len(train_ids), min(1000, n_users - start))
        sims = train[seeds] @ train.T
        for k, user in enumerate(users[start : start + len(seeds)]):
            n = int(rng.integers(5, 41))
            near = np.argpartition(-sims[k], n + 3)[: n + 3]
            near = near[np.argsort(-sims[k][near])]
            votes += [Vote(user=user, paper_id=train_ids[j]) for j in near[:n]]
            if rng.random() < 0.2:
                far = rng.integers(0, len(train_ids), 3)
                feedback += [Feedback(user=user, paper_id=train_ids[j], signal=-1) for j in far]
    Vote.objects.bulk_create(votes, batch_size=5000, ignore_conflicts=True)
    Feedback.objects.bulk_create(feedback, batch_size=5000, ignore_conflicts=True)
    searches = [
        SavedSearch(subscriber=s, query=QUERIES[rng.integers(len(QUERIES))])
        for s in subscribers
        if rng.random() < 0.2
    ]
    SavedSearch.objects.bulk_create(searches, batch_size=5000)
    mailed_to = subscribers[:1000]
    sends = DigestSend.objects.bulk_create(
        [DigestSend(subscriber=s, period_key="weekly:2026-W25", state="sent") for s in mailed_to]
    )
    mailed = [
        MailedPaper(subscriber=s, paper_id=period_ids[j], digest=send)
        for s, send in zip(mailed_to, sends, strict=True)
        for j in rng.choice(len(period_ids), 5, replace=False)
    ]
    MailedPaper.objects.bulk_create(mailed, batch_size=5000)
    for j in rng.choice(len(period_ids), 300, replace=False):
        Paper.objects.filter(pk=period_ids[j]).update(upvotes=int(rng.integers(1, 60)))
    print(
        f"  created {count:,} subscribers, {len(votes):,} votes, {len(feedback):,} feedback, "
        f"{len(searches):,} saved searches: {time.perf_counter() - started:.1f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--home", type=Path, default=Path("/tmp/paperfeed-bench-digests"), help="data directory"
    )
    parser.add_argument("--subscribers", type=int, default=10_000, help="simulated subscribers")
    args = parser.parse_args(argv)
    for path in (RECENT, VECTORS, IDS):
        if not path.exists():
            print(f"{path} is missing (../shared/data)", file=sys.stderr)
            return 2
    print(
        f"{platform.node()}: {platform.processor() or platform.machine()}, "
        f"{len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}"
    )
    setup(args.home)
    ensure_store()
    ensure_subscribers(args.subscribers, np.random.default_rng(0))

    from paperfeed.digests import content
    from paperfeed.digests.models import Subscriber
    from paperfeed.papers.models import Paper

    subscribers = list(
        Subscriber.objects.filter(email__endswith="@bench.invalid").order_by("pk")[
            : args.subscribers
        ]
    )
    period = Paper.objects.filter(feed_day__gte=START.date(), feed_day__lt=END.date()).count()
    digests, seconds = timed(
        f"build_all: {len(subscribers):,} digests, {period:,} papers in the period, "
        f"{Paper.objects.count():,} stored",
        content.build_all,
        subscribers,
        START,
        END,
    )
    sizes = np.array([len(d.papers) for d in digests])
    with_recs = sum(any(s.title == "Recommended for you" for s in d.sections) for d in digests)
    with_alerts = sum(any(s.title.startswith("Alert:") for s in d.sections) for d in digests)
    print(
        f"  {seconds:.1f} s for {len(digests):,} digests ({1000 * seconds / len(digests):.2f} ms "
        f"each): {with_recs:,} with recommendations, {with_alerts:,} with alerts, papers per "
        f"digest median {int(np.median(sizes))}, max {sizes.max()}; target <= 60 s: "
        f"{'met' if seconds <= 60 else 'NOT met'}"
    )
    return 0 if seconds <= 60 else 1


if __name__ == "__main__":
    sys.exit(main())

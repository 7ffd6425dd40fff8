"""Time of the for-you order of one member's list (issue 13): ``foryou.order_papers`` over the
300 papers of the day 2026-07-01 and the 996 of the week 2026-W27, for three members.

Builds a data home once (``--home``; a fresh temporary one by default): the 74,728 papers of
../shared/data/arxiv-cs-2025-2026.jsonl.gz and their precomputed all-MiniLM-L6-v2 vectors, in
SQLite or in the PostgreSQL database ``--database-url`` names (created when absent), Zipf
upvotes from 300 users on the last 14 feed days, synthetic Hugging Face signals (upvotes and an
organisation from a pool of 20) on ~30 papers a day, and the planner statistics. Then three
members, made through the same functions the site uses for follows:

- **weak**: follows one category;
- **typical**: 30 upvotes (two topics: a paper of the 12 weeks before the day and its nearest
  neighbours), 5 "less like this", 3 categories, 2 authors (one of them on the day), 1
  organisation and 2 searches;
- **heavy**: 200 upvotes (8 topics), 10 follows of each kind.

The rows are the ones the list gives its personaliser (``lists.day_feed`` / ``week_feed`` with
``sort="for_you"``), in one warm process. The first call of the process (no shared ridge base,
no encoder, no query vectors) is timed alone, then its parts (the ridge base, one query
encoding), then ``--repeat`` calls per member and list (p50 / p95 / max), the SQL queries of one
call (``CaptureQueriesContext``) and, for context, the whole list call (rows, order, the first
page of 50 papers hydrated). Prints Markdown tables, the machine and its load average.

numpy's OpenBLAS starts one thread per core for products as small as these, and its idle threads
spin: on cores that other processes keep busy that slows the whole call, not only the products.
Run it both ways (``OPENBLAS_NUM_THREADS=1`` in front of the command: one BLAS thread).

    nice .venv/bin/python benchmarks/bench_foryou_order.py [--home DIR] [--repeat 50]
        [--database-url postgres://postgres@127.0.0.1:5432/paperfeed_foryou]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
DATA = Path(os.environ.get("PAPERFEED_SHARED", HERE.parents[2] / "shared")) / "data"
CORPUS = DATA / "arxiv-cs-2025-2026.jsonl.gz"
VECTORS = DATA / "arxiv-cs-2025-2026.all-MiniLM-L6-v2.f16.npy"
IDS = DATA / "arxiv-cs-2025-2026.all-MiniLM-L6-v2.ids.txt"
DAY = dt.date(2026, 7, 1)
"""The last day of the corpus: 300 papers."""
WEEK = DAY.isocalendar()[:2]
VOTERS = 300
RECENT_DAYS = 14
TRAIN_DAYS = 84
HF_PER_DAY = 30
ORGS = [
    ("google", "Google"), ("meta-llama", "Meta Llama"), ("nvidia", "NVIDIA"),
    ("microsoft", "Microsoft"), ("Qwen", "Qwen"), ("deepseek-ai", "DeepSeek"),
    ("allenai", "Ai2"), ("stanford", "Stanford University"), ("mit", "MIT"),
    ("tsinghua", "Tsinghua University"), ("huggingface", "Hugging Face"),
    ("apple", "Apple"), ("amazon", "Amazon"), ("ByteDance", "ByteDance"),
    ("alibaba", "Alibaba"), ("salesforce", "Salesforce"), ("ibm", "IBM"),
    ("cmu", "Carnegie Mellon University"), ("berkeley", "UC Berkeley"), ("epfl", "EPFL"),
]  # fmt: skip
CATEGORIES = ["cs.CL", "cs.LG", "cs.CV", "cs.AI", "cs.RO", "cs.CR", "cs.SE", "cs.IR", "cs.DC",
              "cs.HC"]  # fmt: skip
QUERIES = [
    "speculative decoding", "diffusion models for video generation", "kv cache compression",
    "retrieval augmented generation", "graph neural networks", "mixture of experts",
    "reinforcement learning from human feedback", "3D gaussian splatting",
    "membership inference attacks", "time series forecasting",
]  # fmt: skip
PROFILES = {
    # name: (topics, upvotes, dislikes, categories, authors (on the day), orgs, searches)
    "weak": (0, 0, 0, 1, (0, 0), 0, 0),
    "typical": (2, 30, 5, 3, (1, 1), 1, 2),
    "heavy": (8, 200, 0, 10, (3, 7), 10, 10),
}


# -- the store ------------------------------------------------------------------------------
def setup(home: Path, database_url: str) -> None:
    os.environ.update(PAPERFEED_HOME=str(home), DATABASE_URL=database_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    home.mkdir(parents=True, exist_ok=True)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def step(label: str, fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    print(f"  {label}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return result


def build_store(home: Path, database_url: str) -> None:
    """Papers, vectors, votes and signals, once per home (and database)."""
    from paperfeed.ingest.files import ingest_file
    from paperfeed.papers.maintenance import update_statistics
    from paperfeed.search import embedding_job, query_model

    ready = home / ".bench-ready"
    if ready.exists() and ready.read_text().strip() == (database_url or "sqlite"):
        return
    print(f"building {database_url or home} ...", file=sys.stderr)
    result = step(f"ingest {CORPUS.name}", ingest_file, str(CORPUS))
    if result.error:
        sys.exit(f"ingest failed: {result.error}")
    if not embedding_job.model_counts():
        step("import the shared vectors", embedding_job.import_vectors, VECTORS, IDS)
    step("votes and signals", add_community, np.random.default_rng(7))
    step("planner statistics", update_statistics)
    # the web's query encoder (ONNX, no torch), which saved searches are embedded with
    step("query model", query_model.ensure_for_vectors, embedding_job.current_model())
    ready.write_text((database_url or "sqlite") + "\n")


def add_community(rng: np.random.Generator) -> None:
    """Zipf upvotes and Hugging Face signals (with an organisation) on the last 14 feed days."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from paperfeed.community.models import Vote
    from paperfeed.community.votes import recount_upvotes
    from paperfeed.papers.models import Paper
    from paperfeed.signals.models import PaperSignals

    first = DAY - dt.timedelta(days=RECENT_DAYS)
    recent = list(
        Paper.objects.filter(feed_day__gt=first).order_by("arxiv_id").values_list("arxiv_id")
    )
    recent = [pid for (pid,) in recent]
    user_model = get_user_model()
    popularity = 1.0 / np.arange(1, len(ORGS) + 1)
    with transaction.atomic():
        user_model.objects.bulk_create(
            user_model(username=f"voter{i:03d}", email=f"voter{i:03d}@bench.invalid", password="!")
            for i in range(VOTERS)
        )
        voters = list(user_model.objects.filter(username__startswith="voter").order_by("pk"))
        counts = np.minimum(rng.zipf(1.7, size=len(recent)) - 1, VOTERS)
        Vote.objects.bulk_create(
            [
                Vote(user=voters[i], paper_id=pid)
                for pid, count in zip(recent, counts, strict=True)
                for i in rng.choice(VOTERS, size=int(count), replace=False)
            ],
            batch_size=5000,
        )
        recount_upvotes(recent)
        linked = PaperSignals.objects.in_bulk(recent)  # code links ingest found
        days = dict(Paper.objects.filter(arxiv_id__in=recent).values_list("arxiv_id", "feed_day"))
        share = HF_PER_DAY * RECENT_DAYS / len(recent)
        create, update = [], []
        for pid in recent:
            if rng.random() >= share:
                continue
            row = linked.get(pid) or PaperSignals(paper_id=pid)
            row.hf_upvotes = int(min(rng.zipf(1.6), 600))
            row.hf_day = days[pid]
            if rng.random() < 0.6:
                org = ORGS[rng.choice(len(ORGS), p=popularity / popularity.sum())]
                row.org_name, row.org_fullname = org
            (update if pid in linked else create).append(row)
        PaperSignals.objects.bulk_create(create)
        fields = ["hf_upvotes", "hf_day", "org_name", "org_fullname"]
        PaperSignals.objects.bulk_update(update, fields, batch_size=1000)


# -- the members ----------------------------------------------------------------------------
def _topical(train_ids: list[str], train: np.ndarray, topics: int, n: int, rng) -> list[str]:
    """``n`` papers of the training weeks around ``topics`` seed papers (nearest first)."""
    chosen: dict[str, None] = {}
    seeds = rng.choice(len(train_ids), topics, replace=False)
    for k, seed in enumerate(seeds):
        want = n // topics + (1 if k < n % topics else 0)
        near = np.argsort(-(train @ train[seed]))
        taken = 0
        for j in near:
            if train_ids[j] not in chosen:
                chosen[train_ids[j]] = None
                taken += 1
                if taken == want:
                    break
    return list(chosen)


def _authors(on_day: int, prolific: int, rng) -> list[int]:
    """Author ids: ``on_day`` with a paper on the day and at least 3 in the store, then the
    ``prolific`` most prolific authors."""
    from django.db.models import Count

    from paperfeed.papers.models import Author

    counted = Author.objects.annotate(n=Count("authorships"))
    day = list(
        counted.filter(authorships__paper__feed_day=DAY)
        .filter(n__gte=3)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    found = [int(pk) for pk in rng.choice(day, on_day, replace=False)] if on_day else []
    for pk in counted.order_by("-n", "pk").values_list("pk", flat=True)[: prolific + on_day]:
        if len(found) < on_day + prolific and pk not in found:
            found.append(pk)
    return found


def ensure_members() -> dict:
    """The three members (once per store): name -> user."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from paperfeed.community.models import Vote
    from paperfeed.digests.models import Feedback
    from paperfeed.papers.models import Paper
    from paperfeed.personal import follows
    from paperfeed.personal.models import Follow

    user_model = get_user_model()
    names = {name: f"foryou-{name}" for name in PROFILES}
    if user_model.objects.filter(username__in=names.values()).count() == len(names):
        return {name: user_model.objects.get(username=u) for name, u in names.items()}
    rng = np.random.default_rng(11)
    row = {pid: i for i, pid in enumerate(IDS.read_text().split())}
    vectors = np.load(VECTORS)
    train_ids = [
        pid
        for pid in Paper.objects.filter(
            feed_day__gte=DAY - dt.timedelta(days=TRAIN_DAYS), feed_day__lt=DAY
        )
        .order_by("arxiv_id")
        .values_list("arxiv_id", flat=True)
        if pid in row
    ]
    train = vectors[[row[pid] for pid in train_ids]].astype(np.float32)
    members = {}
    with transaction.atomic():
        for name, spec in PROFILES.items():
            topics, upvotes, dislikes, n_categories, (on_day, prolific), n_orgs, n_searches = spec
            user = user_model.objects.create_user(names[name], f"{names[name]}@bench.invalid")
            liked = _topical(train_ids, train, topics, upvotes, rng) if upvotes else []
            Vote.objects.bulk_create([Vote(user=user, paper_id=pid) for pid in liked])
            others = [pid for pid in train_ids if pid not in set(liked)]
            Feedback.objects.bulk_create(
                Feedback(user=user, paper_id=others[j], signal=-1)
                for j in rng.choice(len(others), dislikes, replace=False)
            )
            for value in CATEGORIES[:n_categories]:
                follows.follow(user, Follow.CATEGORY, value)
            for pk in _authors(on_day, prolific, rng):
                follows.follow(user, Follow.AUTHOR, str(pk))
            for org, _ in ORGS[:n_orgs]:
                follows.follow(user, Follow.ORG, org)
            for query in QUERIES[:n_searches]:
                follows.follow(user, Follow.SEARCH, query)
            members[name] = user
    return members


# -- timing ---------------------------------------------------------------------------------
def list_rows(user, which: str):
    """The rows and clock the day or week list hands its personaliser, and the list call."""
    from paperfeed.papers import lists
    from paperfeed.personal import foryou

    seen = []

    def personal(rows, now):  # the first call only gathers the rows: the process stays cold
        seen.append((rows, now))
        if len(seen) == 1:
            return foryou.PersonalOrder()
        return foryou.order_papers(user, rows, now)

    def call():
        if which == "day":
            return lists.day_feed(DAY, sort=lists.FOR_YOU, user=user, personal=personal)
        return lists.week_feed(*WEEK, sort=lists.FOR_YOU, user=user, personal=personal)

    call()
    rows, now = seen[-1]
    return rows, now, call


def milliseconds(call, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def once(fn, *args):
    """``fn(*args)`` and its wall time in ms."""
    started = time.perf_counter()
    result = fn(*args)
    return result, (time.perf_counter() - started) * 1000


def counted(user, rows, now):
    """``order_papers(user, rows, now)`` and the SQL queries it ran."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from paperfeed.personal import foryou

    with CaptureQueriesContext(connection) as captured:
        order = foryou.order_papers(user, rows, now)
    return order, len(captured.captured_queries)


def machine(database_url: str) -> str:
    import sqlite3

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    if database_url:
        import psycopg

        with psycopg.connect(database_url, connect_timeout=5) as conn:
            server = conn.execute("SHOW server_version").fetchone()[0].split()[0]
        database = f"PostgreSQL {server}"
    else:
        database = f"SQLite {sqlite3.sqlite_version}"
    return (
        f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {cpu}, "
        f"Python {platform.python_version()}, {database}, numpy {np.__version__}, "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset (one per core)')}"
    )


def describe(member) -> str:
    return (
        f"{len(member.liked)} liked, {len(member.disliked)} disliked, "
        f"{len(member.categories)}/{len(member.authors)}/{len(member.orgs)}/{len(member.searches)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="reuse (or build once into) this directory")
    parser.add_argument("--repeat", type=int, default=50, help="timed calls per member and list")
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL postgres://USER@HOST:PORT/NAME (default: "
        "SQLite in --home)"
    )  # fmt: skip
    args = parser.parse_args(argv)
    for path in (CORPUS, VECTORS, IDS):
        if not path.exists():
            print(f"{path} is missing (../shared/data)", file=sys.stderr)
            return 2
    if args.database_url:
        sys.path.insert(0, str(HERE.parent))
        import load_data

        load_data.ensure_database(args.database_url, fresh=False)
    home = args.home or Path(tempfile.mkdtemp(prefix="paperfeed-bench-foryou-"))
    setup(home, args.database_url)
    build_store(home, args.database_url)
    members = ensure_members()

    from paperfeed.personal import foryou
    from paperfeed.search import hybrid
    from paperfeed.search.embedding_job import current_model

    loaded = {name: foryou.load_member(user) for name, user in members.items()}
    cases = [(name, "day") for name in PROFILES] + [("typical", "week")]
    listed = {case: list_rows(members[case[0]], case[1]) for case in cases}

    encoded, load = once(hybrid.embed_query, "a query no member saved")
    _, encode = once(hybrid.embed_query, "another query no member saved")
    rows, now, _ = listed[("typical", "day")]
    (_, cold_queries), cold = once(counted, members["typical"], rows, now)
    foryou.forget_shared()
    base, ridge = once(foryou.shared_ridge)

    print(f"\n{machine(args.database_url)}; data in {args.database_url or home}\n")
    model = current_model() if encoded is not None else "none (no encoder: topics match lexically)"
    print(
        f"Cold, once per process: loading the query encoder {load:.0f} ms ({model}; the first "
        f"query's encoding included), one more query {encode:.1f} ms (kept per process); the "
        f"first order_papers (typical member, day of {len(rows)} papers, encoder loaded) "
        f"{cold:.0f} ms in {cold_queries} queries: the shared ridge base ({ridge:.0f} ms alone, "
        f"{0 if base is None else base.n_background} background vectors) and the two saved "
        "searches' encodings.\n"
    )
    print(f"load average before the timed calls: {os.getloadavg()[0]:.1f}\n")
    print(
        "| member | list | papers | profile (liked, disliked, follows cat/author/org/search) | "
        "queries | first ms | p50 ms | p95 ms | max ms | whole list call p50 ms |\n"
        "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for name, which in cases:
        user, member = members[name], loaded[name]
        rows, now, whole = listed[(name, which)]
        call = lambda user=user, rows=rows, now=now: foryou.order_papers(user, rows, now)  # noqa: E731
        first = milliseconds(call, 1)[0]
        milliseconds(call, 3)  # warm
        queries = counted(user, rows, now)[1]
        times = milliseconds(call, args.repeat)
        whole_times = milliseconds(whole, max(args.repeat // 5, 5))
        print(
            f"| {name} | {which} | {len(rows)} | {describe(member)} | {queries} | {first:.1f} | "
            f"{statistics.median(times):.1f} | {np.percentile(times, 95):.1f} | "
            f"{max(times):.1f} | {statistics.median(whole_times):.0f} |"
        )
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

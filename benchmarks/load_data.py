"""Data for the load benchmark (``bench_load.py``): a PostgreSQL store of the shared corpus minus
its last listing day, realistic votes, users who can log in, and the locust plan.

The vote model (:func:`vote_counts`, :func:`pick_voters`), like Hugging Face's Daily Papers:

- papers of the last ``RECENT_DAYS`` feed days get ``zipf(1.7) - 1`` upvotes (about half get
  none, a few per day reach 100+), papers of the ``OLDER_DAYS`` before that ``zipf(2.6) - 1``
  (four in five get none), older papers none, so most of the 74k papers have 0;
- a paper's count is capped at the number of users, and its voters are distinct users drawn
  with a Zipf-like activity (a few users vote a lot, most rarely).

Everything is seeded, so a rerun writes the same votes; :func:`seed_community` rewrites them
through the ``Vote`` model and recomputes ``Paper.upvotes`` from the vote rows (the count the
voting code keeps), so counts and rows agree.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RECENT_DAYS = 14
OLDER_DAYS = 76
RECENT_ZIPF = 1.7
OLDER_ZIPF = 2.6
USER_ACTIVITY_EXPONENT = 0.8
USERS = 300
API_TOKEN_USERS = 10
PASSWORD = "load-benchmark-password-7d1c"  # every load user's password (a benchmark store only)
USERNAME_PREFIX = "load"


# -- the vote model (pure functions) ------------------------------------------------------
def vote_counts(ages_days: np.ndarray, users: int, rng: np.random.Generator) -> np.ndarray:
    """Upvotes per paper for papers ``ages_days`` feed days older than the newest day."""
    ages = np.asarray(ages_days)
    counts = np.zeros(len(ages), dtype=np.int64)
    recent = ages < RECENT_DAYS
    older = (ages >= RECENT_DAYS) & (ages < RECENT_DAYS + OLDER_DAYS)
    counts[recent] = rng.zipf(RECENT_ZIPF, size=int(recent.sum())) - 1
    counts[older] = rng.zipf(OLDER_ZIPF, size=int(older.sum())) - 1
    return np.minimum(counts, users)


def user_activity(users: int) -> np.ndarray:
    """Probability that each user is among a paper's voters: Zipf-like, summing to 1."""
    weights = 1.0 / np.arange(1, users + 1) ** USER_ACTIVITY_EXPONENT
    return weights / weights.sum()


def pick_voters(counts: np.ndarray, users: int, rng: np.random.Generator) -> Iterator[tuple]:
    """``(paper_index, user_index)`` pairs: ``counts[i]`` distinct users for paper ``i``."""
    activity = user_activity(users)
    for paper_index in np.flatnonzero(counts):
        chosen = rng.choice(users, size=int(counts[paper_index]), replace=False, p=activity)
        for user_index in chosen:
            yield int(paper_index), int(user_index)


# -- the corpus split -----------------------------------------------------------------------
@dataclass
class Split:
    held_back_day: str
    held_back_file: Path
    rest_file: Path
    held_back: int
    rest: int


def split_corpus(corpus: Path, out_dir: Path) -> Split:
    """Write the corpus without its last listing day (``rest.jsonl.gz``) and that day alone
    (``new-day.jsonl``). Reuses the files when they are there."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rest_file, held_file, meta_file = (
        out_dir / "rest.jsonl.gz",
        out_dir / "new-day.jsonl",
        out_dir / "split.json",
    )
    if meta_file.exists() and rest_file.exists() and held_file.exists():
        meta = json.loads(meta_file.read_text())
        return Split(meta["held_back_day"], held_file, rest_file, meta["held_back"], meta["rest"])
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        last_day = max(json.loads(line)["listed"] for line in fh if line.strip())
    held = rest = 0
    with (
        gzip.open(corpus, "rt", encoding="utf-8") as fh,
        gzip.open(rest_file, "wt", encoding="utf-8", compresslevel=1) as rest_out,
        held_file.open("w", encoding="utf-8") as held_out,
    ):
        for line in fh:
            if not line.strip():
                continue
            if json.loads(line)["listed"] == last_day:
                held_out.write(line)
                held += 1
            else:
                rest_out.write(line)
                rest += 1
    meta_file.write_text(json.dumps({"held_back_day": last_day, "held_back": held, "rest": rest}))
    return Split(last_day, held_file, rest_file, held, rest)


def held_back_papers(held_file: Path) -> list[dict]:
    with held_file.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# -- the database -------------------------------------------------------------------------
def ensure_database(url: str, *, fresh: bool) -> bool:
    """Create the PostgreSQL database ``url`` names (drop it first when ``fresh``); True when it
    was created now."""
    import psycopg
    from psycopg import sql

    parts = url.rsplit("/", 1)
    name = parts[1].split("?", 1)[0]
    if not name or len(parts) != 2 or not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"--database-url must be postgres://USER@HOST:PORT/NAME, not {url!r}")
    admin = parts[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        if fresh:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return not exists


# -- users, votes, comments (Django must be set up) ------------------------------------------
def remove_papers(ids: list[str]) -> int:
    """Delete these papers (the held-back day a previous run ingested); returns how many."""
    from paperfeed.papers.models import Paper

    deleted = Paper.objects.filter(arxiv_id__in=ids).count()
    Paper.objects.filter(arxiv_id__in=ids).delete()
    return deleted


def _users() -> list:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    user_model = get_user_model()
    names = [f"{USERNAME_PREFIX}{i:03d}" for i in range(USERS)]
    have = set(user_model.objects.filter(username__in=names).values_list("username", flat=True))
    password = make_password(PASSWORD)  # hashed once (argon2 is slow on purpose), shared
    user_model.objects.bulk_create(
        [
            user_model(username=name, email=f"{name}@example.org", password=password)
            for name in names
            if name not in have
        ]
    )
    users = list(user_model.objects.filter(username__in=names).order_by("username"))
    user_model.objects.filter(username__in=names).update(password=password, is_active=True)
    verified = set(EmailAddress.objects.filter(user__in=users).values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=u, email=u.email, verified=True, primary=True)
            for u in users
            if u.pk not in verified
        ]
    )
    return users


def seed_community(held_back_day: dt.date, seed: int = 7) -> dict:
    """Users (verified e-mail, known password), API tokens, seeded votes, a few comments."""
    from django.contrib.sessions.models import Session
    from django.db import transaction

    from paperfeed.accounts.models import ApiToken
    from paperfeed.accounts.tokens import create_token
    from paperfeed.community.models import Comment, Vote
    from paperfeed.community.votes import recount_upvotes
    from paperfeed.papers.models import Paper

    rng = np.random.default_rng(seed)
    newest = held_back_day - dt.timedelta(days=1)
    window = newest - dt.timedelta(days=RECENT_DAYS + OLDER_DAYS)
    candidates = list(
        Paper.objects.filter(feed_day__gt=window, feed_day__lte=newest)
        .order_by("arxiv_id")
        .values_list("arxiv_id", "feed_day")
    )
    ages = np.array([(newest - day).days for _, day in candidates])
    counts = vote_counts(ages, USERS, rng)
    with transaction.atomic():
        users = _users()
        Session.objects.all().delete()  # a benchmark store: earlier runs' logins
        ApiToken.objects.filter(user__in=users).delete()
        tokens = [create_token(u, "load benchmark") for u in users[:API_TOKEN_USERS]]
        Vote.objects.all().delete()
        Paper.objects.filter(upvotes__gt=0).update(upvotes=0)  # the votes are rewritten below
        Vote.objects.bulk_create(
            [
                Vote(user=users[u], paper_id=candidates[p][0])
                for p, u in pick_voters(counts, USERS, rng)
            ],
            batch_size=5000,
        )
        recount_upvotes(Vote.objects.values("paper_id").distinct())
        if not Comment.objects.exists():
            popular = [candidates[i][0] for i in np.argsort(-counts)[:150]]
            Comment.objects.bulk_create(
                [
                    Comment(
                        paper_id=pid,
                        user=users[(i * 7) % USERS],
                        body="Nice ablations; is the code out?",
                        body_html="<p>Nice ablations; is the code out?</p>",
                    )
                    for i, pid in enumerate(popular)
                ]
            )
    return {
        "users": USERS,
        "votes": int(counts.sum()),
        "papers_with_votes": int((counts > 0).sum()),
        "papers_with_100_plus": int((counts >= 100).sum()),
        "max_upvotes": int(counts.max(initial=0)),
        "tokens": tokens,
        "usernames": [u.username for u in users],
    }


def tail_query(title: str, rng) -> str:
    """A query nobody else asked: 2 to 5 consecutive words of a paper title, lower case."""
    words = re.sub(r"[^A-Za-z0-9 ]+", " ", title).lower().split() or ["paper"]
    size = min(len(words), rng.randint(2, 5))
    start = rng.randrange(len(words) - size + 1)
    return " ".join(words[start : start + size])


def build_plan(
    held_back_day: dt.date, community: dict, queries: list[str], categories: list[str]
) -> dict:
    """What the locust users request: papers (hot ones weighted by upvotes), feed periods,
    queries, credentials. Nothing of the held-back day: it does not exist yet."""
    import random

    from paperfeed.papers.models import Paper

    newest = held_back_day - dt.timedelta(days=1)
    hot = list(
        Paper.objects.visible()
        .filter(feed_day__gt=newest - dt.timedelta(days=RECENT_DAYS), feed_day__lte=newest)
        .order_by("arxiv_id")
        .values_list("arxiv_id", "upvotes")
    )
    all_ids = list(Paper.objects.visible().order_by("arxiv_id").values_list("arxiv_id", flat=True))
    days = sorted(
        {
            d
            for d in Paper.objects.filter(feed_day__lte=newest)
            .values_list("feed_day", flat=True)
            .distinct()
            if d
        },
        reverse=True,
    )[:20]
    weeks = sorted({"{}-W{:02d}".format(*d.isocalendar()[:2]) for d in days}, reverse=True)
    months = sorted({d.strftime("%Y-%m") for d in days}, reverse=True)
    usernames = community["usernames"]
    rng = random.Random(3)
    sample = rng.sample(all_ids, min(3000, len(all_ids)))
    titles = list(
        Paper.objects.filter(arxiv_id__in=sample)
        .order_by("arxiv_id")
        .values_list("title", flat=True)
    )
    return {
        "hot_papers": [pid for pid, _ in hot],
        "hot_weights": [upvotes + 1 for _, upvotes in hot],
        "any_papers": rng.sample(all_ids, min(5000, len(all_ids))),
        "days": [d.isoformat() for d in days],
        "weeks": weeks,
        "months": months,
        "latest": newest.isoformat(),
        "queries": queries,
        "tail_queries": [tail_query(t, rng) for t in titles],
        "categories": categories,
        "members": usernames[API_TOKEN_USERS:],
        "password": PASSWORD,
        "api_tokens": community["tokens"],
    }

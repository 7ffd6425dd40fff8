"""Recommendation quality: precision@10 of next-period recommendations for simulated users.

    nice python benchmarks/bench_recommend.py [--topics 60] [--splits 6] [--seed 1]

Simulated users come from the shared corpus ../shared/data/arxiv-cs-2025-2026.jsonl.gz and its
precomputed all-MiniLM-L6-v2 vectors (loaded directly with numpy; no database). A user's topic is
a frequent title phrase ("speculative decoding", "graph neural"); a paper is *relevant* to it when
the phrase is in its title or twice in its abstract -- a lexical definition that does not favour
any embedding-based ranker. For each split (a cut date), the user upvotes N random relevant
papers of the 8 weeks before the cut; in the "with feedback" runs they also click "less like this"
on the 5 non-relevant papers the centroid of their upvotes ranked highest in those weeks (what
they would have been shown and rejected). The rankers then order every paper of the week after
the cut, and precision@10 counts the relevant ones among the first ten.

Rankers (:mod:`paperfeed.digests.recommend`): ``centroid`` (Rocchio profile), ``logistic``
(per-user logistic regression against 400 random papers of the training weeks plus the dislikes),
``ridge`` (per-user regularised least-squares classifier on the same data; ``--l2`` and ``--dw``
set its lambda and the weight of a dislike) and ``popularity`` (everyone gets the same list: the papers most upvoted by the other simulated
users in the test week). ``random`` is the expected precision of a random list.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from paperfeed.digests import recommend

HERE = Path(__file__).resolve()
SHARED = Path(os.environ.get("PAPERFEED_SHARED", HERE.parents[2] / "shared")) / "data"
RECENT = SHARED / "arxiv-cs-2025-2026.jsonl.gz"
VECTORS = SHARED / "arxiv-cs-2025-2026.all-MiniLM-L6-v2.f16.npy"
IDS = SHARED / "arxiv-cs-2025-2026.all-MiniLM-L6-v2.ids.txt"

TRAIN_WEEKS = 8
TEST_DAYS = 7
UPVOTE_COUNTS = (3, 10, 30)
DISLIKES = 5
BACKGROUND = 400
MIN_RELEVANT_TEST = 10
STOPWORDS = set(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "based",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "over",
        "the",
        "to",
        "via",
        "with",
        "without",
        "we",
        "our",
        "using",
        "toward",
        "towards",
        "through",
        "under",
        "its",
        "their",
        "can",
        "how",
        "what",
        "when",
        "where",
        "which",
    ]
)
WORD = re.compile(r"[a-z][a-z0-9\-]+")


def load_corpus() -> tuple[list[str], list[str], np.ndarray, np.ndarray, list[list[str]]]:
    """Titles (lowercase), abstracts (lowercase), listing days, unit vectors and categories, in
    id order."""
    ids = IDS.read_text().split()
    vectors = np.load(VECTORS).astype(np.float32)
    row = {pid: i for i, pid in enumerate(ids)}
    titles = [""] * len(ids)
    abstracts = [""] * len(ids)
    days = np.zeros(len(ids), dtype="datetime64[D]")
    categories: list[list[str]] = [[] for _ in ids]
    with gzip.open(RECENT, "rt", encoding="utf-8") as stream:
        for line in stream:
            paper = json.loads(line)
            i = row[paper["id"]]
            titles[i] = " ".join(paper["title"].lower().split())
            abstracts[i] = " ".join(paper["abstract"].lower().split())
            days[i] = np.datetime64(paper["listed"])
            categories[i] = list(paper.get("categories") or [])
    return titles, abstracts, days, vectors, categories


def title_phrases(titles: list[str], count: int) -> list[str]:
    """The ``count`` most frequent two-word title phrases without stop words."""
    counts: Counter[str] = Counter()
    for title in titles:
        words = WORD.findall(title)
        for a, b in zip(words, words[1:], strict=False):
            if a not in STOPWORDS and b not in STOPWORDS:
                counts[f"{a} {b}"] += 1
    return [p for p, _ in counts.most_common(count * 10)]


def relevance(phrase: str, titles: list[str], abstracts: list[str]) -> np.ndarray:
    return np.array(
        [phrase in t or a.count(phrase) >= 2 for t, a in zip(titles, abstracts, strict=True)]
    )


def precision_at(ranked: np.ndarray, relevant: np.ndarray, k: int = 10) -> float:
    return float(relevant[ranked[:k]].mean())


def evaluate(args) -> dict:
    t0 = time.perf_counter()
    titles, abstracts, days, vectors, _ = load_corpus()
    print(f"loaded {len(titles):,} papers in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    rng = np.random.default_rng(args.seed)
    start, end = days.min(), days.max()
    span = (end - start).astype(int)
    cuts = [start + np.timedelta64(int(span * f), "D") for f in np.linspace(0.3, 0.95, args.splits)]
    phrases = title_phrases(titles, args.topics)
    relevant_sets = {p: relevance(p, titles, abstracts) for p in phrases}
    results: dict[tuple[str, int, bool], list[float]] = {}
    randoms: list[float] = []
    n_users = 0
    for cut in cuts:
        train = np.flatnonzero((days < cut) & (days >= cut - np.timedelta64(7 * TRAIN_WEEKS, "D")))
        test = np.flatnonzero((days >= cut) & (days < cut + np.timedelta64(TEST_DAYS, "D")))
        topics = [
            p
            for p in phrases
            if relevant_sets[p][test].sum() >= MIN_RELEVANT_TEST
            and relevant_sets[p][train].sum() >= max(UPVOTE_COUNTS) + 5
        ][: args.topics]
        test_vectors = vectors[test]
        # popularity: each topic's user upvotes half of its relevant test papers
        votes_by_topic = {p: rng.random(test.size) < 0.5 * relevant_sets[p][test] for p in topics}
        all_votes = np.sum([v for v in votes_by_topic.values()], axis=0)
        for phrase in topics:
            relevant_test = relevant_sets[phrase][test]
            randoms.append(float(relevant_test.mean()))
            pool = train[relevant_sets[phrase][train]]
            others = train[~relevant_sets[phrase][train]]
            popularity = recommend.popularity_scores(all_votes - votes_by_topic[phrase])
            pop_rank = recommend.top_k_per_row(popularity, 10)
            for n in UPVOTE_COUNTS:
                liked = vectors[rng.choice(pool, n, replace=False)]
                centroid = recommend.centroid_profile(liked)
                near_miss = others[np.argsort(-(vectors[others] @ centroid))[:DISLIKES]]
                disliked = vectors[near_miss]
                background = vectors[rng.choice(others, BACKGROUND, replace=False)]
                n_users += 1
                for feedback in (False, True):
                    neg = disliked if feedback else None
                    profile = recommend.centroid_profile(liked, neg)
                    scores = {
                        "centroid": recommend.score_profiles(profile[None, :], test_vectors)[0],
                        "logistic": recommend.train_logistic(liked, neg, background).score(
                            test_vectors
                        ),
                        "ridge": recommend.train_ridge(
                            liked, neg, background, l2=args.l2, disliked_weight=args.dw
                        ).score(test_vectors),
                    }
                    for method, s in scores.items():
                        ranked = recommend.top_k_per_row(s, 10)
                        results.setdefault((method, n, feedback), []).append(
                            precision_at(ranked, relevant_test)
                        )
                    results.setdefault(("popularity", n, feedback), []).append(
                        precision_at(pop_rank, relevant_test)
                    )
        print(f"split {cut}: {len(topics)} topics, {test.size} test papers", file=sys.stderr)
    return {
        "results": results,
        "random": float(np.mean(randoms)),
        "users": n_users,
        "seconds": time.perf_counter() - t0,
    }


def table(outcome: dict, args) -> str:
    results = outcome["results"]
    lines = [
        f"`nice python benchmarks/bench_recommend.py --topics {args.topics} --splits "
        f"{args.splits} --seed {args.seed}` -- {outcome['users']} simulated users "
        f"(topic x split x N), {outcome['seconds']:.0f} s",
        "",
        "| upvotes N | feedback | centroid | logistic | ridge | popularity | random |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for n in UPVOTE_COUNTS:
        for feedback in (False, True):
            cells = [
                f"{np.mean(results[(m, n, feedback)]):.3f}"
                for m in ("centroid", "logistic", "ridge", "popularity")
            ]
            label = f"+{DISLIKES} less-like-this" if feedback else "upvotes only"
            lines.append(f"| {n} | {label} | {' | '.join(cells)} | {outcome['random']:.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=60, help="topics (users) per split")
    parser.add_argument("--splits", type=int, default=6, help="number of cut dates")
    parser.add_argument("--l2", type=float, default=recommend.RIDGE_PENALTY, help="ridge lambda")
    parser.add_argument(
        "--dw", type=float, default=recommend.DISLIKED_WEIGHT, help="ridge disliked weight"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    args = parser.parse_args(argv)
    if not RECENT.exists():
        print(f"missing {RECENT}", file=sys.stderr)
        return 2
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(table(evaluate(args), args))
    return 0


if __name__ == "__main__":
    sys.exit(main())

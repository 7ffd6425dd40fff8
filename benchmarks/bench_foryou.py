"""For-you order quality: precision@10 and nDCG@10 of one week ordered for simulated members.

    nice python benchmarks/bench_foryou.py [--topics 60] [--splits 6] [--seed 1] [--sweep]

The protocol (docs/benchmarks.md, "For-you order"), on the shared corpus
../shared/data/arxiv-cs-2025-2026.jsonl.gz and its precomputed all-MiniLM-L6-v2 vectors:

- **Interests** are frequent two-word title phrases ("speculative decoding", "graph neural"),
  as in ``bench_recommend.py``. A paper *matches* an interest when the phrase is in its title or
  twice in its abstract (a lexical test that favours no embedding ranker).
- **Members** have one interest (one per phrase) or two (each phrase paired with another one at
  random). At each cut date a member's profile is what onboarding asks for: the **categories**
  they follow (for each interest, the primary category most of its matching papers of the eight
  weeks before the cut are listed in), the **topics** they type (the interest phrases, saved as
  search follows) and N **marked papers** ("more like this"): N random matching papers of those
  eight weeks, shared out between the interests.
- **Positives** are the papers of the week after the cut that match one of the member's interests:
  none of them is a marked paper (they are later), and the profile never sees them.
- **The community order** is the baseline: every simulated member of the split upvotes each paper
  of the test week matching their interests with probability 1/2 (as a lab's members would), and a
  member's list is ordered by the other members' upvotes (ties in random order). The for-you order
  blends the same upvotes in (its community part, a percentile).
- **The for-you order** is :func:`paperfeed.personal.relevance.blend` over the parts
  :func:`paperfeed.personal.foryou.order_papers` computes from the database: the ridge "like" score
  of the marked papers against a 400-paper background sample (:func:`relevance.like_scores`), the
  nearest typed topic by meaning (topics encoded with the search's query encoder), followed
  categories, the lexical saved-search match (:func:`relevance.matches_terms`) and the community
  percentile, with :data:`relevance.DEFAULT_WEIGHTS`. No database is used: the same pure functions
  on numpy arrays.

The saved-search match reads the same words as the positives' test (every word of the phrase in
the title or abstract, once, against the phrase itself in the title or twice in the abstract), so
the rows "without the lexical match" say how much of the result rests on it. ``--sweep`` scales
each weight by 0, 1/2 and 2 on the full profiles (3 marks) and prints precision@10 of each.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import platform
import sys
import time
from collections import Counter

import numpy as np

from bench_recommend import RECENT, load_corpus, precision_at, relevance, title_phrases
from paperfeed.digests import recommend
from paperfeed.personal import relevance as personal
from paperfeed.search.encoders import load_encoder

TRAIN_WEEKS = 8
TEST_DAYS = 7
MARKS = (0, 3, 10)
BACKGROUND = 400
MIN_RELEVANT_TEST = 10
VOTE_PROBABILITY = 0.5
MODEL = "all-MiniLM-L6-v2"
K = 10


def ndcg_at(ranked: np.ndarray, relevant: np.ndarray, k: int = K) -> float:
    """Binary-gain nDCG@k (Järvelin & Kekäläinen 2002): ``DCG = sum_i rel_i / log2(i + 1)`` over
    the first k ranks, divided by the DCG of the ideal order (all positives first)."""
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = float((relevant[ranked[:k]] * discounts[: len(ranked[:k])]).sum())
    ideal = float(discounts[: min(k, int(relevant.sum()))].sum())
    return dcg / ideal if ideal else 0.0


def order(scores: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """Indices by descending score, ties in the (random) ``tiebreak`` order."""
    return np.lexsort((tiebreak, -scores))


@dataclasses.dataclass
class Member:
    interests: tuple[str, ...]
    categories: list[str]


@dataclasses.dataclass
class Split:
    """One cut date's test week and what every member's scoring shares."""

    test: np.ndarray
    vectors: np.ndarray  # the test week's unit vectors
    words: list[frozenset[str]]  # the test week's title + abstract words
    categories: list[set[str]]
    base: recommend.RidgeBase
    tiebreak: np.ndarray


def primary_category(indices: np.ndarray, categories: list[list[str]]) -> str:
    counts = Counter(categories[i][0] for i in indices if categories[i])
    return counts.most_common(1)[0][0]


class Topics:
    """Query vectors of the typed topics (the search's encoder), each phrase encoded once."""

    def __init__(self) -> None:
        self.encoder = load_encoder(MODEL)
        self.cache: dict[str, np.ndarray] = {}

    def __call__(self, phrases: tuple[str, ...]) -> np.ndarray:
        missing = [p for p in phrases if p not in self.cache]
        if missing:
            for phrase, vector in zip(missing, self.encoder.encode(missing), strict=True):
                self.cache[phrase] = vector
        return np.vstack([self.cache[p] for p in phrases]).astype(np.float32)


def profile_scores(
    split: Split,
    member: Member,
    liked: np.ndarray,
    topics: np.ndarray | None,
    community: np.ndarray,
    weights: personal.Weights,
) -> np.ndarray:
    """The for-you score of the test week for one member (what order_papers blends)."""
    n = split.test.size
    like = personal.like_scores(split.vectors, liked, np.zeros((0, liked.shape[1])), split.base)
    topic = personal.topic_scores(split.vectors, topics)[0] if topics is not None else None
    followed = member.categories
    category = np.array(
        [any(c == f or c.startswith(f + ".") for c in cats for f in followed) for cats in split.categories]
    ) if followed else None  # fmt: skip
    search = None
    if topics is not None:
        terms = [personal.query_terms(p) for p in member.interests]
        search = np.array([any(personal.matches_terms(w, t) for t in terms) for w in split.words])
    return personal.blend(
        n=n,
        community=community,
        like=like,
        liked=liked.shape[0],
        topic=topic,
        category=category,
        search=search,
        weights=weights,
    ).total


def variants(weights: personal.Weights) -> list[tuple[str, int, bool, personal.Weights]]:
    """(label, marks, typed topics and categories, weights) of each for-you row."""
    no_lexical = dataclasses.replace(weights, search=0.0)
    rows = [(f"{n} marked papers only", n, False, weights) for n in MARKS if n]
    rows += [(f"categories + topics + {n} marked", n, True, weights) for n in MARKS]
    rows += [(f"... without the lexical match, {n} marked", n, True, no_lexical) for n in MARKS]
    return rows


def evaluate(args) -> dict:
    t0 = time.perf_counter()
    titles, abstracts, days, vectors, categories = load_corpus()
    print(f"loaded {len(titles):,} papers in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    rng = np.random.default_rng(args.seed)
    encode = Topics()
    start, end = days.min(), days.max()
    span = (end - start).astype(int)
    cuts = [start + np.timedelta64(int(span * f), "D") for f in np.linspace(0.3, 0.95, args.splits)]
    phrases = title_phrases(titles, args.topics)
    matching = {p: relevance(p, titles, abstracts) for p in phrases}
    weights = personal.DEFAULT_WEIGHTS
    rows = variants(weights)
    sweep = (
        [
            (name, factor)
            for name in (f.name for f in dataclasses.fields(personal.Weights))
            for factor in (0.0, 0.5, 2.0)
        ]
        if args.sweep
        else []
    )
    results: dict[str, dict[str, list[float]]] = {}
    week_sizes: list[int] = []
    members_total = 0

    def record(label: str, ranked: np.ndarray, positives: np.ndarray) -> None:
        found = results.setdefault(label, {"p": [], "ndcg": []})
        found["p"].append(precision_at(ranked, positives, K))
        found["ndcg"].append(ndcg_at(ranked, positives, K))

    for cut in cuts:
        train = np.flatnonzero((days < cut) & (days >= cut - np.timedelta64(7 * TRAIN_WEEKS, "D")))
        test = np.flatnonzero((days >= cut) & (days < cut + np.timedelta64(TEST_DAYS, "D")))
        chosen = [
            p
            for p in phrases
            if matching[p][test].sum() >= MIN_RELEVANT_TEST
            and matching[p][train].sum() >= max(MARKS) + 5
        ][: args.topics]
        before = np.flatnonzero(days < cut)
        split = Split(
            test=test,
            vectors=vectors[test],
            words=[personal.text_words(f"{titles[i]} {abstracts[i]}") for i in test],
            categories=[set(categories[i]) for i in test],
            base=recommend.ridge_base(vectors[rng.choice(before, BACKGROUND, replace=False)]),
            tiebreak=rng.permutation(test.size),
        )
        week_sizes.append(test.size)
        partners = rng.permutation(len(chosen))
        interests = [(p,) for p in chosen] + [
            (p, chosen[j]) for p, j in zip(chosen, partners, strict=True) if chosen[j] != p
        ]
        members = [
            Member(i, sorted({primary_category(train[matching[p][train]], categories) for p in i}))
            for i in interests
        ]
        positives = [np.any([matching[p][test] for p in m.interests], axis=0) for m in members]
        votes = [rng.random(test.size) < VOTE_PROBABILITY * pos for pos in positives]
        all_votes = np.sum(votes, axis=0)
        for member, pos, own in zip(members, positives, votes, strict=True):
            members_total += 1
            community = (all_votes - own).astype(np.float64)
            record("community order (baseline)", order(community, split.tiebreak), pos)
            results.setdefault("random", {"p": [], "ndcg": []})["p"].append(float(pos.mean()))
            pools = [train[matching[p][train]] for p in member.interests]
            shuffled = [rng.permutation(pool) for pool in pools]
            topic_vectors = encode(member.interests)
            for label, n, typed, w in rows:
                marked = [shuffled[j % len(pools)][j // len(pools)] for j in range(n)]
                liked = vectors[marked] if marked else np.zeros((0, vectors.shape[1]), np.float32)
                if not typed:
                    member_ = Member(member.interests, [])
                    scores = profile_scores(split, member_, liked, None, community, w)
                else:
                    scores = profile_scores(split, member, liked, topic_vectors, community, w)
                record(label, order(scores, split.tiebreak), pos)
            for name, factor in sweep:
                marked = [shuffled[j % len(pools)][j // len(pools)] for j in range(3)]
                w = dataclasses.replace(weights, **{name: getattr(weights, name) * factor})
                scores = profile_scores(split, member, vectors[marked], topic_vectors, community, w)
                record(f"sweep {name} x{factor:g}", order(scores, split.tiebreak), pos)
        print(
            f"split {cut}: {len(members)} members, {test.size} papers in the week",
            file=sys.stderr,
        )
    return {
        "results": results,
        "rows": [r[0] for r in rows],
        "sweep": [f"sweep {name} x{factor:g}" for name, factor in sweep],
        "members": members_total,
        "week": int(np.median(week_sizes)),
        "seconds": time.perf_counter() - t0,
    }


def table(outcome: dict, args) -> str:
    results = outcome["results"]

    def cells(label: str) -> str:
        found = results[label]
        ndcg = f"{np.mean(found['ndcg']):.3f}" if found["ndcg"] else "--"
        return f"{np.mean(found['p']):.3f} | {ndcg}"

    lines = [
        f"`nice python benchmarks/bench_foryou.py --topics {args.topics} --splits {args.splits} "
        f"--seed {args.seed}` -- {outcome['members']} simulated members (one or two interests "
        f"x {args.splits} cut dates), a median week of {outcome['week']:,} papers, "
        f"{outcome['seconds']:.0f} s on {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}",
        "",
        "| order | precision@10 | nDCG@10 |",
        "|---|---:|---:|",
        f"| random | {np.mean(results['random']['p']):.3f} | -- |",
        f"| community order (baseline) | {cells('community order (baseline)')} |",
    ]
    lines += [f"| for you: {label} | {cells(label)} |" for label in outcome["rows"]]
    if outcome["sweep"]:
        lines += ["", "| weight x factor (3 marked) | precision@10 | nDCG@10 |", "|---|---:|---:|"]
        lines += [f"| {label[6:]} | {cells(label)} |" for label in outcome["sweep"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=60, help="interest phrases per cut date")
    parser.add_argument("--splits", type=int, default=6, help="number of cut dates")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--sweep", action="store_true", help="also scale each weight by 0, .5, 2")
    args = parser.parse_args(argv)
    if not RECENT.exists():
        print(f"missing {RECENT}", file=sys.stderr)
        return 2
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(table(evaluate(args), args))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The "hot" score: what this community and the outside world say of a paper, decayed by age.

A new or small paperfeed has few upvotes of its own, so "Most upvoted" leaves a fresh install's
daily page a tie of hundreds of papers at 0. Hot blends the local upvotes with what other
services say (the signals of :mod:`paperfeed.signals`), then decays the blend with the Hacker
News gravity of :mod:`paperfeed.rankings.gravity`, as trending does::

    points = w_upvotes   * upvotes                   (this install's upvotes)
           + w_hf        * hf_upvotes                (Hugging Face's daily papers)
           + w_stars     * log2(1 + stars_gained)    (GitHub stars gained this week)
           + w_citations * log2(1 + citations)       (Semantic Scholar)
    score  = points / (age_hours + 2) ** 1.8         (gravity.score)

Why these choices:

- **Votes are linear, as in Hacker News** (Salihefendic, "How Hacker News ranking algorithm
  works", 2010): each vote is one person's choice. A local upvote weighs more than a Hugging Face
  upvote by default (3 to 1): it is this install's own community saying "read this".
- **Stars and citations are on a log scale.** Their counts span six orders of magnitude (a
  weekend project: 3 stars; a famous repository: 100k), so linearly one popular repository
  would drown every other signal. ``log2(1 + n)`` gives each doubling the same worth: with the
  default weight 3, a repository that gained 1,000 stars this week is worth about 30 HF
  upvotes, not 1,000. Stars *gained this week* (not total stars) measure current attention, as
  Hugging Face's trending page does; a repository linked from an old paper that everyone uses
  (say, a deep-learning framework) gains little relative to its size. Negative gains (stars
  taken back) count as none.
- **Absent counts as nothing**, never as a penalty: a paper Hugging Face never listed scores on
  its other signals only.
- **The age decay** makes a week or month list favour recent papers, exactly as trending does;
  on a day page every paper has the same age, so the order is that of the points. Papers with
  no points score 0 and keep the list's usual order (newer day first, then the larger arXiv id).

The weights are settings (``PAPERFEED_HOT_WEIGHT_*``, see :mod:`paperfeed.config`); the
``/ranking`` page prints this formula with the weights in use. This module is pure: the
weights in use are handed to it by :func:`configure` (the papers app does so from the settings).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from paperfeed.rankings import gravity


@dataclass(frozen=True)
class Weights:
    """How many points each unit of each signal is worth (each doubling, for the log ones)."""

    upvotes: float = 3.0
    """Per local upvote."""
    hf_upvotes: float = 1.0
    """Per Hugging Face upvote."""
    stars_gained: float = 3.0
    """Per doubling of the GitHub stars gained this week: ``log2(1 + gained)``."""
    citations: float = 2.0
    """Per doubling of the citations: ``log2(1 + citations)``."""

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ValueError(f"hot weight {name} must be a number >= 0, not {value!r}")

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


DEFAULT_WEIGHTS = Weights()
_current = DEFAULT_WEIGHTS


def configure(weights: Weights) -> None:
    """Use ``weights`` from now on (the papers app passes the ``PAPERFEED_HOT_WEIGHT_*``
    settings when Django starts, and again whenever a test overrides them)."""
    global _current
    if not isinstance(weights, Weights):
        raise TypeError(f"hot.configure takes Weights, not {type(weights).__name__}")
    _current = weights


def current() -> Weights:
    """The weights in use."""
    return _current


def log_points(count: int | None) -> float:
    """``log2(1 + count)``; absent (None) or negative counts are worth nothing.

    >>> log_points(0), log_points(1), log_points(3), log_points(1023)
    (0.0, 1.0, 2.0, 10.0)
    >>> log_points(None), log_points(-40)
    (0.0, 0.0)
    """
    if count is None or count <= 0:
        return 0.0
    return math.log2(1 + count)


def points(
    upvotes: int,
    hf_upvotes: int | None,
    stars_gained: int | None,
    citations: int | None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> float:
    """The blend before the age decay (see the module docstring).

    >>> points(2, 10, 1023, 3)      # 3*2 + 1*10 + 3*10 + 2*2
    50.0
    >>> points(0, None, None, None)
    0.0
    """
    return (
        weights.upvotes * max(0, upvotes)
        + weights.hf_upvotes * max(0, hf_upvotes or 0)
        + weights.stars_gained * log_points(stars_gained)
        + weights.citations * log_points(citations)
    )


def score(
    upvotes: int,
    hf_upvotes: int | None,
    stars_gained: int | None,
    citations: int | None,
    age_hours: float,
    weights: Weights = DEFAULT_WEIGHTS,
) -> float:
    """:func:`points` decayed by :func:`gravity.score` at ``age_hours``.

    >>> round(score(0, 85, None, None, 22), 4)   # 85 / (22 + 2) ** 1.8
    0.2786
    >>> score(0, None, None, None, 5)
    0.0
    """
    return gravity.score(points(upvotes, hf_upvotes, stars_gained, citations, weights), age_hours)

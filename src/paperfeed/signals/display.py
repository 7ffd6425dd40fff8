"""How a paper's external signals read on a card and on its page: pure functions, no database.

Cards are many per page, so everything here reads values already loaded with the paper (its
upvotes and ``paper.external``, the :class:`~paperfeed.signals.models.PaperSignals` that
:mod:`paperfeed.papers.lists` selects with it) and never queries. Absent is absent: a signal no
service gave (None, "") produces no text at all — a card never says "0 citations" because
Semantic Scholar was not asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

HF_PAPERS = "https://huggingface.co/papers/"
HF_HOME = "https://huggingface.co/"
S2_PAPER = "https://www.semanticscholar.org/paper/"
ABSTRACT_LEAD_CHARS = 320
"""Enough text for two lines of a desktop card (CSS clamps what shows); short HTML per card."""


@dataclass(frozen=True)
class SummaryLine:
    """A one-sentence summary with who wrote it (a reader should know a machine did)."""

    text: str
    label: str
    source: str  # "hf" or "s2"


def humanize(count: int | None) -> str:
    """A count as people read it on a badge: 1.2k, 12k, 3.4M; "" for an absent count.

    >>> [humanize(n) for n in (0, 7, 999, 1000, 1234, 1250, 9_960, 12_345, 999_999, 3_400_000)]
    ['0', '7', '999', '1k', '1.2k', '1.3k', '10k', '12k', '1M', '3.4M']
    >>> humanize(-340), humanize(None)
    ('-340', '')
    """
    if count is None:
        return ""
    if count < 0:
        return "-" + humanize(-count)
    if count < 1000:
        return str(count)
    for scale, suffix in ((10**3, "k"), (10**6, "M"), (10**9, "B")):
        tenths = (count * 10 + scale // 2) // scale  # integer half-up: 1,250 is 1.3k
        if tenths < 100:
            whole, tenth = divmod(tenths, 10)
            return f"{whole}.{tenth}{suffix}" if tenth else f"{whole}{suffix}"
        units = (count + scale // 2) // scale
        if units < 1000 or suffix == "B":  # 999,999 is 1M, not 1000k
            return f"{units}{suffix}"
    raise AssertionError("unreachable: the last scale always returns")


def summary_lines(signals) -> list[SummaryLine]:
    """Every machine summary of the paper, labelled: HF's AI summary, then S2's TL;DR."""
    if signals is None:
        return []
    lines = []
    if signals.ai_summary:
        lines.append(SummaryLine(signals.ai_summary, "AI summary (HF)", "hf"))
    if signals.tldr:
        lines.append(SummaryLine(signals.tldr, "TL;DR (Semantic Scholar)", "s2"))
    return lines


def summary_line(signals) -> SummaryLine | None:
    """The card's one summary: HF's AI summary, else S2's TL;DR, else None (the card then shows
    the start of the abstract)."""
    lines = summary_lines(signals)
    return lines[0] if lines else None


def stars_text(stars: int | None, gained: int | None) -> str:
    """The code badge: ``★ 1.2k · +340 this week``; only a positive gain is news.

    >>> stars_text(1234, 340)
    '★ 1.2k · +340 this week'
    >>> stars_text(5, 0), stars_text(5, None), stars_text(None, 3)
    ('★ 5', '★ 5', '')
    """
    if stars is None:
        return ""
    gain = gain_text(gained)
    return f"★ {humanize(stars)} · {gain}" if gain else f"★ {humanize(stars)}"


def gain_text(gained: int | None) -> str:
    """``+340 this week``; "" when nothing was gained or there is no history yet."""
    return f"+{humanize(gained)} this week" if gained is not None and gained > 0 else ""


def why_here(upvotes: int, signals) -> list[str]:
    """The signals that placed a paper on a list, strongest voice first: this site's upvotes,
    Hugging Face's, its code's stars and weekly gain, its citations. Zero and absent say
    nothing (a zero places nothing).

    >>> from types import SimpleNamespace as S
    >>> why_here(3, S(hf_upvotes=85, stars=1234, stars_gained_week=340, citations=12))
    ['▲3 here', '▲85 on HF', '★1.2k, +340 this week', '12 citations']
    >>> why_here(0, S(hf_upvotes=None, stars=40, stars_gained_week=None, citations=1))
    ['★40', '1 citation']
    >>> why_here(1, None)
    ['▲1 here']
    """
    parts = []
    if upvotes:
        parts.append(f"▲{humanize(upvotes)} here")
    if signals is None:
        return parts
    if signals.hf_upvotes:
        parts.append(f"▲{humanize(signals.hf_upvotes)} on HF")
    if signals.stars:
        gain = gain_text(signals.stars_gained_week)
        stars = f"★{humanize(signals.stars)}"
        parts.append(f"{stars}, {gain}" if gain else stars)
    if signals.citations:
        parts.append(citations_text(signals.citations))
    return parts


def venue_text(venue: str) -> str:
    """The venue worth a badge: Semantic Scholar names arXiv itself as the venue of most
    preprints, which says nothing about a paper listed from arXiv.

    >>> venue_text("NeurIPS 2025"), venue_text("arXiv.org"), venue_text(" ArXiv "), venue_text("")
    ('NeurIPS 2025', '', '', '')
    """
    venue = venue.strip()
    return "" if venue.casefold() in {"arxiv", "arxiv.org", "corr"} else venue


def code_label(signals) -> str:
    """What the card's code badge says: the stars and weekly gain, or just "Code" when no host
    gave a count (or it is zero: a new repository is still code)."""
    if signals is None or not http_url(signals.code_url):
        return ""
    return stars_text(signals.stars, signals.stars_gained_week) if signals.stars else "Code"


def citations_text(count: int | None) -> str:
    """``12 citations``, ``1 citation``; "" when absent.

    >>> citations_text(1), citations_text(1500), citations_text(None)
    ('1 citation', '1.5k citations', '')
    """
    if count is None:
        return ""
    return f"{humanize(count)} citation{'' if count == 1 else 's'}"


def hf_url(arxiv_id: str, signals) -> str:
    """The paper's page on Hugging Face when HF is known to have one (it listed or voted it)."""
    if signals is None or (signals.hf_day is None and signals.hf_upvotes is None):
        return ""
    return HF_PAPERS + arxiv_id


def org_url(signals) -> str:
    """The organisation's page on Hugging Face ("" without an organisation)."""
    if signals is None or not signals.org_name:
        return ""
    return HF_HOME + quote(signals.org_name, safe="")


def s2_url(signals) -> str:
    """The paper's page on Semantic Scholar ("" when S2 gave no id)."""
    if signals is None or not signals.s2_id:
        return ""
    return S2_PAPER + quote(signals.s2_id, safe="")


def github_repo(code_url: str) -> str:
    """``code_url`` when it is a GitHub repository (what HF's ``githubRepo`` holds), else "".

    >>> github_repo("https://github.com/MiniMax-AI/MSA")
    'https://github.com/MiniMax-AI/MSA'
    >>> github_repo("https://huggingface.co/spaces/a/b"), github_repo("")
    ('', '')
    """
    return code_url if code_url.startswith("https://github.com/") else ""


_MATH = re.compile(r"(?<!\\)\$")


def abstract_lead(text: str, limit: int = ABSTRACT_LEAD_CHARS) -> str:
    """The start of an abstract for a card: at most ``limit`` characters cut at a word, never
    inside ``$...$`` math (half a formula would render as raw TeX), "…" when cut.

    >>> abstract_lead("Short one.")
    'Short one.'
    >>> abstract_lead("We bound $O(n^2)$ memory and more words here", 20)
    'We bound $O(n^2)$ …'
    >>> abstract_lead("We bound it by $O(n^2 \\\\log n)$ always", 22)
    'We bound it by …'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > 0 else cut[:limit]
    dollars = [m.start() for m in _MATH.finditer(cut)]
    if len(dollars) % 2:  # an opened formula: end before it
        cut = cut[: dollars[-1]]
    return cut.rstrip(" ,;:") + " …"


def http_url(url: str) -> str:
    """``url`` when it is an http(s) URL with a host, else "": links stored from other services
    go into ``href`` and ``src``, where a ``javascript:`` or ``data:`` URL would run.

    >>> http_url("https://x.github.io/p/"), http_url("javascript:alert(1)"), http_url("//x")
    ('https://x.github.io/p/', '', '')
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    return url.strip() if parts.scheme.lower() in {"http", "https"} and parts.netloc else ""


def open_access_pdf(url: str) -> str:
    """An open-access PDF worth a link of its own: not arXiv's (every paper here has that one).

    >>> open_access_pdf("https://openreview.net/pdf?id=x")
    'https://openreview.net/pdf?id=x'
    >>> open_access_pdf("http://arxiv.org/pdf/2506.03569"), open_access_pdf("https://export.arxiv.org/x")
    ('', '')
    """
    url = http_url(url)
    host = (urlsplit(url).hostname or "").lower()
    return "" if host == "arxiv.org" or host.endswith(".arxiv.org") else url


@dataclass(frozen=True)
class Badge:
    text: str
    url: str = ""
    kind: str = ""
    image: str = ""


@dataclass(frozen=True)
class Card:
    """Everything a card shows of a paper's signals, ready for the template."""

    summary: SummaryLine | None = None
    badges: list[Badge] = field(default_factory=list)
    why: list[str] = field(default_factory=list)


def badges(signals, org: Badge | None = None) -> list[Badge]:
    """The card's badges, in reading order: code (stars, weekly gain), project page, venue,
    citations (linking to Semantic Scholar), organisation (avatar and name, linking to HF; or
    ``org``, the local organisation's badge, when the paper belongs to one)."""
    if signals is None:
        return [org] if org else []
    out = []
    if code := code_label(signals):
        out.append(Badge(code, http_url(signals.code_url), "code"))
    if project := http_url(signals.project_page):
        out.append(Badge("Project page", project, "project"))
    if venue := venue_text(signals.venue):
        out.append(Badge(venue, kind="venue"))
    if signals.citations:
        out.append(Badge(citations_text(signals.citations), s2_url(signals), "citations"))
    if org:
        out.append(org)
    elif signals.org_name:
        name = signals.org_fullname or signals.org_name
        out.append(Badge(name, org_url(signals), "org", http_url(signals.org_avatar)))
    return out


def card(upvotes: int, signals, org: Badge | None = None) -> Card:
    """The card of a paper with ``upvotes`` here and ``signals`` (None: no service spoke);
    ``org``: its local organisation's badge (:mod:`paperfeed.orgs.badges`)."""
    return Card(summary_line(signals), badges(signals, org), why_here(upvotes, signals))

"""Response and request shapes of the JSON API (they also make the OpenAPI document).

Two families: ``Hf*`` reproduce Hugging Face's field names and types (camelCase, ``_id``,
times as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` strings) so HF clients parse them unchanged; the native
``/api/v1`` shapes use paperfeed's own snake_case names and plain ISO dates.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from paperfeed import rankings

FeedSort = Literal[rankings.offered("api", personal=True)]
"""The rankings the API feeds offer (from the registry; ``for_you`` to a member with a profile)."""
SearchSort = Literal[rankings.offered("search", personal=True)]
"""The rankings search offers (from the registry; ``for_you`` to a member with a profile)."""

# --------------------------------------------------------------------------- errors


class ErrorOut(Schema):
    detail: str = Field(description="What was wrong, naming the parameter or field.")


# --------------------------------------------------------------------------- Hugging Face shapes


class HfUser(Schema):
    """A user overview as HF gives it (``submittedBy``, ``submittedOnDailyBy``)."""

    hf_id: str = Field(alias="_id", description="paperfeed user id (HF: a Mongo object id)")
    avatarUrl: str = Field(description="Always empty: paperfeed keeps no avatars.")
    fullname: str
    name: str = Field(description="Username.")
    user: str = Field(description="Username (HF sends both name and user).")
    type: str = "user"
    isPro: bool = False


class HfAuthor(Schema):
    hf_id: str = Field(alias="_id", description="paperfeed author id")
    name: str
    hidden: bool = False


class HfOrganization(Schema):
    """The organisation Hugging Face credits with the paper (``organization``)."""

    name: str = Field(description="Its id on Hugging Face (the URL name).")
    fullname: str
    avatar: str = Field(description="Avatar image URL (empty when HF gave none).")


class HfSignals(Schema):
    """HF's signal fields; each is omitted when no service gave it (as on HF)."""

    projectPage: str | None = Field(None, description="The paper's project page.")
    githubRepo: str | None = Field(
        None, description="Full URL of its best-starred GitHub repository."
    )
    githubStars: int | None = Field(None, description="Stars of that repository.")
    ai_summary: str | None = Field(None, description="Hugging Face's AI summary.")
    ai_keywords: list[str] | None = Field(None, description="Hugging Face's AI keywords.")
    organization: HfOrganization | None = None


class HfPaper(HfSignals):
    """``GET /api/papers/{id}`` and the ``paper`` object of a daily-papers entry."""

    id: str = Field(description="arXiv id without version")
    authors: list[HfAuthor]
    publishedAt: str = Field(description="Date of the first arXiv version (midnight UTC).")
    submittedOnDailyAt: str | None = Field(
        description="When the paper entered the daily feed (user submission or arXiv listing)."
    )
    submittedOnDailyBy: HfUser | None = Field(
        description="The user who submitted it here, else the Hugging Face user who put it on "
        "HF's daily list (_id hf:NAME); null for papers that came from arXiv's listing alone."
    )
    title: str
    summary: str = Field(description="The abstract.")
    upvotes: int
    discussionId: str = Field(description="The paper's comment thread: its arXiv id.")
    numComments: int


class HfDailyEntry(HfSignals):
    """One item of ``GET /api/daily_papers`` and ``GET /api/papers/search``."""

    paper: HfPaper
    publishedAt: str = Field(
        description="Date of the first arXiv version, as paper.publishedAt (HF: the same time "
        "minus 4 hours). The day it was on the list is paper.submittedOnDailyAt."
    )
    title: str
    summary: str
    thumbnail: str = Field(description="Always empty: paperfeed makes no thumbnails.")
    numComments: int
    submittedBy: HfUser | None
    isAuthorParticipating: bool = Field(
        description="Whether the submitter is one of the authors (by display name)."
    )


# --------------------------------------------------------------------------- native shapes


class UserOut(Schema):
    username: str


class AuthorOut(Schema):
    id: int
    name: str


class OrganizationOut(Schema):
    name: str
    fullname: str
    avatar: str | None


class SignalsOut(Schema):
    """What other services say of a paper; null means no service said (never 0 for absent)."""

    hf_upvotes: int | None = Field(description="Upvotes on Hugging Face.")
    hf_day: dt.date | None = Field(description="Day it was on Hugging Face's daily list.")
    hf_submitted_by: str | None = Field(description="HF user who put it on that list.")
    hf_comments: int | None = Field(description="Comments on Hugging Face.")
    hf_url: str | None = Field(description="Its page on Hugging Face, when HF knows it.")
    ai_summary: str | None = Field(description="Hugging Face's AI summary.")
    ai_keywords: list[str] = Field(description="Hugging Face's AI keywords.")
    project_page: str | None
    organization: OrganizationOut | None
    tldr: str | None = Field(description="Semantic Scholar's TL;DR.")
    citations: int | None = Field(description="Citation count (Semantic Scholar).")
    influential_citations: int | None
    venue: str | None = Field(description="Publication venue as Semantic Scholar names it.")
    open_access_pdf: str | None
    has_code: bool = Field(description="A code repository or HF artifact is linked.")
    code_url: str | None = Field(description="Its best-starred repository, else the first.")
    stars: int | None = Field(description="Stars of that repository.")
    stars_gained_week: int | None = Field(
        description="Stars it gained in the 7 days to its latest snapshot (null: no history)."
    )


class LinksOut(Schema):
    html: str = Field(description="The paper's page on this paperfeed.")
    abs: str = Field(description="arXiv abstract page.")
    pdf: str
    doi: str | None = None


class PaperOut(Schema):
    id: str
    version: int | None
    title: str
    abstract: str
    authors: list[AuthorOut]
    primary_category: str
    categories: list[str]
    published: dt.date | None
    updated: dt.date | None
    listed: dt.date | None
    feed_day: dt.date | None
    comment: str
    journal_ref: str
    doi: str
    license: str
    upvotes: int
    n_comments: int
    submitted_by: UserOut | None
    submitted_at: dt.datetime | None
    voted: bool | None = Field(
        description="Whether the caller upvoted it (null for anonymous calls)."
    )
    seen: bool | None = Field(
        None,
        description="Whether the caller has seen it: opened, dismissed or upvoted (null for "
        "anonymous calls). See /api/v1/me/preferences for what their lists do with it.",
    )
    signals: SignalsOut | None = Field(
        description="What other services say of it; null when none said anything."
    )
    links: LinksOut
    why: list[str] | None = Field(
        None,
        description='Why it is here for the caller, most telling first ("you follow Yann '
        'LeCun", "like 3 papers you upvoted"), when the list is ordered for them '
        "(sort=for_you); else null.",
    )


class PageOut(Schema):
    """One page of papers with the metadata to fetch the next one."""

    items: list[PaperOut]
    total: int
    page: int
    per_page: int
    pages: int
    has_next: bool
    has_previous: bool


class FeedPageOut(PageOut):
    feed: str = Field(description="daily, weekly, monthly, trending, submitted or upvoted")
    period: str | None = Field(description="The day, ISO week or month shown (null: trending).")
    sort: FeedSort
    previous_period: str | None = None
    next_period: str | None = None


class SearchHitOut(Schema):
    paper: PaperOut
    score: float
    why: list[str] = Field(
        description="Why it matched: the words each field holds ('title matches “kv”, "
        "“cache”'), the authors, and 'similar in meaning' for a match by meaning."
    )
    terms: list[str]
    matched: dict[str, list[str]] = Field(
        description="Field (title, abstract, authors) -> the words or names of the paper that "
        "matched the query's terms, as the paper spells them; function words left out."
    )
    similarity: float | None = Field(
        description="Cosine between the query's and the paper's embeddings (null: not compared)."
    )
    snippets: dict[str, str] = Field(
        description="Field name -> HTML-escaped excerpt with matched content words in <mark>."
    )


class SpellingOut(Schema):
    query: str = Field(description="The query with the corrections made.")
    corrections: dict[str, str] = Field(description="Each rare word -> its correction.")
    held_by: dict[str, int] = Field(
        description="Each corrected word -> papers holding it (0: none)."
    )
    count: int
    count_is_estimate: bool


class DropFilterOut(Schema):
    label: str = Field(description="The filter, as typed in q or given as a parameter.")
    query: str = Field(description="q without it (q itself when a parameter is dropped).")
    param: str | None = Field(
        description="The parameter to leave out (category, since, until, author), or null."
    )
    count: int = Field(description="How many results the search finds without this filter.")
    count_is_estimate: bool


class SuggestionsOut(Schema):
    spelling: SpellingOut | None = Field(
        description="A correction from the corpus vocabulary when a word of q is in no paper "
        "and the corrected query finds papers."
    )
    drop_filters: list[DropFilterOut] = Field(
        description="When nothing was found: each filter whose removal alone is tried."
    )


class AuthorFacetOut(Schema):
    name: str
    papers: int


class SearchOut(Schema):
    query: str
    mode: str = Field(
        description="The mode that really ran (hybrid falls back to lexical "
        "when no vector index exists)."
    )
    note: str | None = Field(
        None,
        description="Why the mode that ran is not the one asked for (say, no query model on "
        "this server: hybrid ran as lexical); null when it is.",
    )
    sort: SearchSort
    total: int = Field(description="The same as count (kept for older clients).")
    count: int = Field(
        description="How many papers match: exact in lexical mode; in hybrid mode the papers "
        "holding the terms (term_matches, exact) plus the papers found only by meaning among "
        "the ranked candidates; in semantic mode the ranked candidates."
    )
    count_is_estimate: bool = Field(description="True when count is an estimate ('about N').")
    term_matches: int | None = Field(
        description="Papers holding the query's terms, counted exactly (null in semantic mode)."
    )
    limit: int
    offset: int
    has_next: bool
    items: list[SearchHitOut]
    authors: list[AuthorFacetOut] = Field(
        default_factory=list,
        description="The author facet: the authors with the most papers among the best "
        "results (up to 200), most first; pass one as author= to filter.",
    )
    similar_authors: list[str] = Field(
        default_factory=list,
        description="Author names (author=, author:) that matched no author exactly: the "
        "results are the papers of similar names.",
    )
    suggestions: SuggestionsOut


class SimilarHitOut(Schema):
    paper: PaperOut
    similarity: float | None


class SimilarOut(Schema):
    id: str = Field(description="The paper the others are like (left out of them).")
    sort: str = Field("relevance", description="relevance or recency")
    total: int = Field(0, description="How many similar papers paging reaches (at most 100).")
    limit: int = 10
    offset: int = 0
    has_next: bool = False
    items: list[SimilarHitOut]


class SimilarTextOut(Schema):
    text: str = Field(description="The pasted text, stripped.")
    sort: str = Field(description="relevance or recency")
    total: int = Field(description="How many similar papers paging reaches (at most 100).")
    limit: int
    offset: int
    has_next: bool
    items: list[SimilarHitOut]


class VoteOut(Schema):
    id: str
    voted: bool
    upvotes: int


class CommentOut(Schema):
    id: int
    paper_id: str
    parent_id: int | None
    user: UserOut | None = Field(
        description="The author; null once the author deleted their account and kept the "
        "comment as a deleted user."
    )
    body: str = Field(description="Markdown source.")
    body_html: str = Field(description="Rendered, sanitised HTML.")
    created: dt.datetime
    edited: dt.datetime | None
    replies: list[CommentOut] = Field(default_factory=list)


class CommentsOut(Schema):
    id: str
    total: int = Field(description="Visible comments on all pages, replies included.")
    page: int
    pages: int = Field(description="Pages of threads (at least 1).")
    per_page: int = Field(description="Top-level comments (threads) per page.")
    items: list[CommentOut]


class CommentIn(Schema):
    body: str = Field(description="Markdown (a safe subset is rendered).")
    parent_id: int | None = Field(default=None, description="Reply to this top-level comment.")


class CommentEditIn(Schema):
    body: str


class SubmissionIn(Schema):
    paper: str = Field(description="An arXiv id (2503.01234, cs/9809007) or an arXiv URL.")


class SubmissionOut(Schema):
    id: int = Field(description="The submission's number (its status is at status_url).")
    arxiv_id: str = Field(description="The submitted paper's arXiv id, without version.")
    state: Literal["queued", "fetching", "done", "failed"] = Field(
        description="queued: waiting for the worker to fetch the paper from arXiv; fetching; "
        "done: in today's feed; failed: not submitted, the reason in error."
    )
    error: str = Field(description="Why it failed (empty unless state is failed).")
    status_url: str = Field(description="GET it for the submission's current state.")
    paper: PaperOut | None = Field(description="The paper once done; null before.")
    user: UserOut
    created: dt.datetime

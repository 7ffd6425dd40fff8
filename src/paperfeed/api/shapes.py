"""Papers as JSON: Hugging Face's shapes and paperfeed's own (pure functions of a Paper).

Every function takes a :class:`~paperfeed.papers.models.Paper` decorated by
:mod:`paperfeed.papers.lists` (``author_list``, ``submitter``, ``submission``, ``n_comments``,
``voted``) and touches no database.
"""

from __future__ import annotations

import datetime as dt

from paperfeed.papers.models import Paper


def hf_time(value: dt.date | dt.datetime | None) -> str | None:
    """HF's time format ``2025-01-02T18:59:58.000Z`` (UTC, milliseconds); a date is midnight."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time.min, tzinfo=dt.UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _submission(paper: Paper):
    return getattr(paper, "submission", None) if getattr(paper, "submitter", None) else None


def entered_feed_at(paper: Paper) -> dt.date | dt.datetime | None:
    """When the paper entered the daily feed: its submission time, else its feed day."""
    submission = _submission(paper)
    return submission.created if submission is not None else paper.day


def display_name(user) -> str:
    return (user.get_full_name() or "").strip() or user.get_username()


def hf_user(user) -> dict | None:
    if user is None:
        return None
    username = user.get_username()
    return {
        "_id": str(user.pk),
        "avatarUrl": "",
        "fullname": display_name(user),
        "name": username,
        "user": username,
        "type": "user",
        "isPro": False,
    }


def hf_paper(paper: Paper) -> dict:
    """``GET /api/papers/{id}``: HF's flat paper object."""
    return {
        "id": paper.arxiv_id,
        "authors": [{"_id": str(a.pk), "name": a.name, "hidden": False} for a in paper.author_list],
        "publishedAt": hf_time(paper.published or paper.day),
        "submittedOnDailyAt": hf_time(entered_feed_at(paper)),
        "submittedOnDailyBy": hf_user(paper.submitter),
        "title": paper.title,
        "summary": paper.abstract,
        "upvotes": paper.upvotes,
        "discussionId": paper.arxiv_id,
        "numComments": paper.n_comments,
    }


def is_author_participating(paper: Paper) -> bool:
    """Whether the submitter's display name is one of the paper's author names."""
    if paper.submitter is None:
        return False
    name = display_name(paper.submitter).casefold()
    return any(author.name.casefold() == name for author in paper.author_list)


def hf_entry(paper: Paper) -> dict:
    """One item of HF's ``/api/daily_papers`` (and ``/api/papers/search``) list."""
    return {
        "paper": hf_paper(paper),
        "publishedAt": hf_time(entered_feed_at(paper)),
        "title": paper.title,
        "summary": paper.abstract,
        "thumbnail": "",
        "numComments": paper.n_comments,
        "submittedBy": hf_user(paper.submitter),
        "isAuthorParticipating": is_author_participating(paper),
    }


# --------------------------------------------------------------------------- native


def user_out(user) -> dict | None:
    return None if user is None else {"username": user.get_username()}


def paper_out(paper: Paper, *, anonymous: bool) -> dict:
    """paperfeed's own paper object (``/api/v1``)."""
    submission = _submission(paper)
    return {
        "id": paper.arxiv_id,
        "version": paper.version,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": [{"id": a.pk, "name": a.name} for a in paper.author_list],
        "primary_category": paper.primary_category,
        "categories": paper.category_list,
        "published": paper.published,
        "updated": paper.updated,
        "listed": paper.listed,
        "feed_day": paper.day,
        "comment": paper.comment,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
        "license": paper.license,
        "upvotes": paper.upvotes,
        "n_comments": paper.n_comments,
        "submitted_by": user_out(paper.submitter),
        "submitted_at": submission.created if submission is not None else None,
        "voted": None if anonymous else bool(paper.voted),
        "links": {
            "html": f"/papers/{paper.arxiv_id}",
            "abs": paper.abs_url,
            "pdf": paper.pdf_url,
            "doi": f"https://doi.org/{paper.doi}" if paper.doi else None,
        },
    }


def page_out(page, *, anonymous: bool) -> dict:
    """A :class:`~paperfeed.papers.lists.PaperPage` with its pagination metadata."""
    return {
        "items": [paper_out(p, anonymous=anonymous) for p in page.items],
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
        "has_next": page.has_next,
        "has_previous": page.has_previous,
    }

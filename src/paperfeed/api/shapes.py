"""Papers as JSON: Hugging Face's shapes and paperfeed's own (pure functions of a Paper).

Every function takes a :class:`~paperfeed.papers.models.Paper` decorated by
:mod:`paperfeed.papers.lists` (``author_list``, ``submitter``, ``submission``, ``n_comments``,
``voted``, ``external``: its signals) and touches no database.

HF's signal fields (``githubRepo``, ``githubStars``, ``ai_summary``, ``ai_keywords``,
``projectPage``, ``organization``) are omitted when no service gave them, as HF omits them.
HF's own daily-papers entries carry them under ``paper`` only (``organization`` at both levels),
but ``huggingface_hub``'s ``PaperInfo`` reads them from the top level of whatever it is given:
so the entries here carry them at both levels, and ``list_daily_papers`` exposes them as
``paper_info`` does.
"""

from __future__ import annotations

import datetime as dt

from paperfeed.papers.models import Paper
from paperfeed.signals import display


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


def hf_daily_submitter(paper: Paper) -> dict | None:
    """Who put the paper on the daily list: the user who submitted it here, else the Hugging
    Face user who submitted it to HF's list (``_id`` ``hf:NAME``: paperfeed has no HF ids)."""
    if paper.submitter is not None:
        return hf_user(paper.submitter)
    signals = getattr(paper, "external", None)
    if signals is None or not signals.hf_submitted_by:
        return None
    name = signals.hf_submitted_by
    return {
        "_id": f"hf:{name}",
        "avatarUrl": "",
        "fullname": name,
        "name": name,
        "user": name,
        "type": "user",
        "isPro": False,
    }


def hf_signals(paper: Paper) -> dict:
    """HF's signal fields of the paper that some service gave, with HF's names and types."""
    signals = getattr(paper, "external", None)
    if signals is None:
        return {}
    out: dict = {}
    if project := display.http_url(signals.project_page):
        out["projectPage"] = project
    if repo := display.github_repo(signals.code_url):
        out["githubRepo"] = repo
        if signals.stars is not None:
            out["githubStars"] = signals.stars
    if signals.ai_summary:
        out["ai_summary"] = signals.ai_summary
    if signals.ai_keywords:
        out["ai_keywords"] = list(signals.ai_keywords)
    if signals.org_name:
        out["organization"] = {
            "name": signals.org_name,
            "fullname": signals.org_fullname or signals.org_name,
            "avatar": display.http_url(signals.org_avatar),
        }
    return out


def hf_paper(paper: Paper) -> dict:
    """``GET /api/papers/{id}``: HF's flat paper object."""
    return {
        "id": paper.arxiv_id,
        "authors": [{"_id": str(a.pk), "name": a.name, "hidden": False} for a in paper.author_list],
        "publishedAt": hf_time(paper.published or paper.day),
        "submittedOnDailyAt": hf_time(entered_feed_at(paper)),
        "submittedOnDailyBy": hf_daily_submitter(paper),
        "title": paper.title,
        "summary": paper.abstract,
        "upvotes": paper.upvotes,
        "discussionId": paper.arxiv_id,
        "numComments": paper.n_comments,
        **hf_signals(paper),
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
        # HF's entry publishedAt is the arXiv v1 time (shifted by 4 h), not the list day
        "publishedAt": hf_time(paper.published or paper.day),
        "title": paper.title,
        "summary": paper.abstract,
        "thumbnail": "",
        "numComments": paper.n_comments,
        "submittedBy": hf_daily_submitter(paper),
        "isAuthorParticipating": is_author_participating(paper),
        **hf_signals(paper),
    }


# --------------------------------------------------------------------------- native


def user_out(user) -> dict | None:
    return None if user is None else {"username": user.get_username()}


def signals_out(paper: Paper) -> dict | None:
    """What other services say of the paper (``/api/v1``'s ``signals``); None when none spoke.
    Absent values are null, never 0 or "": a client can tell "no citations" from "not asked"."""
    s = getattr(paper, "external", None)
    if s is None:
        return None
    return {
        "hf_upvotes": s.hf_upvotes,
        "hf_day": s.hf_day,
        "hf_submitted_by": s.hf_submitted_by or None,
        "hf_comments": s.hf_comments,
        "hf_url": display.hf_url(paper.arxiv_id, s) or None,
        "ai_summary": s.ai_summary or None,
        "ai_keywords": list(s.ai_keywords or []),
        "project_page": display.http_url(s.project_page) or None,
        "organization": {
            "name": s.org_name,
            "fullname": s.org_fullname or s.org_name,
            "avatar": display.http_url(s.org_avatar) or None,
        }
        if s.org_name
        else None,
        "tldr": s.tldr or None,
        "citations": s.citations,
        "influential_citations": s.influential_citations,
        "venue": s.venue or None,
        "open_access_pdf": display.http_url(s.open_access_pdf) or None,
        "has_code": s.has_code,
        "code_url": display.http_url(s.code_url) or None,
        "stars": s.stars,
        "stars_gained_week": s.stars_gained_week,
    }


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
        "seen": None if anonymous else bool(getattr(paper, "seen", False)),
        "signals": signals_out(paper),
        "links": {
            "html": f"/papers/{paper.arxiv_id}",
            "abs": paper.abs_url,
            "pdf": paper.pdf_url,
            "doi": f"https://doi.org/{paper.doi}" if paper.doi else None,
        },
        # the for-you order's reasons (papers/lists.py sets them; null in other orders)
        "why": getattr(paper, "for_you_why", None),
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

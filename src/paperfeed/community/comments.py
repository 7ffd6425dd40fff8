"""Comments on papers: a Markdown subset rendered to sanitised HTML, threaded one level deep.

Rendering is two steps, each enough on its own against script injection and together belt and
braces: markdown-it-py in CommonMark mode with raw HTML off (``<script>`` becomes text, and its
link validator drops ``javascript:``/``vbscript:``/``data:`` targets), then nh3 (the Rust
``ammonia`` sanitiser) keeps only :data:`ALLOWED_TAGS`, only ``href`` on links, only
http/https/mailto URLs, and stamps every link ``rel="nofollow ugc"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import nh3
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from paperfeed.community.models import Comment
from paperfeed.papers.models import Paper

MAX_LENGTH = 10_000  # characters of Markdown source
ALLOWED_TAGS = {"p", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "blockquote", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc"
DELETED_BODY = "*[deleted by its author]*"
THREADS_PER_PAGE = 25  # top-level comments (with all their replies) on one page

# CommonMark, raw HTML off; syntax whose tags are not allowed stays plain text instead of vanishing
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable(
    ["heading", "lheading", "image", "hr", "html_block", "html_inline"]
)


class CommentError(Exception):
    """A comment cannot be written as asked; the message says why (shown to the user)."""


class CommentNotFound(CommentError):
    pass


class CommentForbidden(CommentError, PermissionDenied):
    """Editing or deleting someone else's comment (a view answers 403)."""


def render_markdown(body: str) -> SafeString:
    """The Markdown subset as sanitised HTML, safe to put in a page unescaped."""
    html = _markdown.render(body)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(clean.strip())  # noqa: S308 - sanitised by nh3 just above


def _clean_body(body: str) -> str:
    if not isinstance(body, str):
        raise CommentError("the comment must be text")
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise CommentError("the comment is empty")
    if len(body) > MAX_LENGTH:
        raise CommentError(f"the comment is {len(body):,} characters; the limit is {MAX_LENGTH:,}")
    return body


def _check_author(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise CommentForbidden("log in to comment")
    if not user.is_active:
        raise CommentForbidden("this account is deactivated")


def _own_comment(user, comment_id: int) -> Comment:
    _check_author(user)
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None:
        raise CommentNotFound(f"no comment {comment_id}")
    if comment.user_id != user.pk:
        raise CommentForbidden("you can only change your own comments")
    if comment.hidden:
        raise CommentForbidden("this comment was hidden by a moderator and cannot be changed")
    return comment


def add_comment(user, paper_id: str, body: str, parent_id: int | None = None) -> Comment:
    """A new comment; a reply to a reply is attached to the top-level comment it answers."""
    _check_author(user)
    body = _clean_body(body)
    if not Paper.objects.visible().filter(pk=paper_id).exists():
        raise CommentNotFound(f"no paper {paper_id!r} to comment on")
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, paper_id=paper_id, hidden=False).first()
        if parent is None:
            raise CommentNotFound(f"no comment {parent_id} on {paper_id} to reply to")
        if parent.parent_id is not None:
            parent = Comment(pk=parent.parent_id)  # one level: answer the thread's top comment
    return Comment.objects.create(
        paper_id=paper_id, user=user, parent=parent, body=body, body_html=render_markdown(body)
    )


def edit_comment(user, comment_id: int, body: str) -> Comment:
    """Replace the text of the user's own comment (and mark it edited)."""
    body = _clean_body(body)
    comment = _own_comment(user, comment_id)
    comment.body = body
    comment.body_html = render_markdown(body)
    comment.edited = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited"])
    return comment


def delete_comment(user, comment_id: int) -> None:
    """Delete the user's own comment; one with replies keeps its place, its text replaced."""
    with transaction.atomic():
        comment = _own_comment(user, comment_id)
        if comment.parent_id is None and comment.replies.exists():
            comment.body = DELETED_BODY
            comment.body_html = render_markdown(DELETED_BODY)
            comment.edited = timezone.now()
            comment.save(update_fields=["body", "body_html", "edited"])
        else:
            comment.delete()


@dataclass
class Threads:
    """One page of a paper's comment threads, oldest first (iterable like the list it holds)."""

    items: list[Comment]  # top-level comments, each with ``visible_replies``
    page: int
    pages: int  # at least 1
    threads: int  # visible top-level comments on all pages
    total: int  # visible comments on all pages, replies included

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def previous(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def _top_level(paper_id: str):
    return Comment.objects.filter(paper_id=paper_id, parent__isnull=True, hidden=False)


def for_paper(paper_id: str, page: int = 1, per_page: int = THREADS_PER_PAGE) -> Threads:
    """Page ``page`` of the visible top-level comments, oldest first, each with its
    ``visible_replies``: two queries when all fit on the first page, four otherwise. A page past
    the last is empty, not an error."""
    page = max(page, 1)
    replies = Comment.objects.filter(hidden=False).select_related("user").order_by("created", "pk")
    start = (page - 1) * per_page
    items = list(
        _top_level(paper_id)
        .select_related("user")
        .order_by("created", "pk")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="visible_replies"))[
            start : start + per_page
        ]
    )
    if page == 1 and len(items) < per_page:  # everything is here: count without asking
        return Threads(items, 1, 1, len(items), sum(1 + len(c.visible_replies) for c in items))
    threads = _top_level(paper_id).count()
    pages = max(1, math.ceil(threads / per_page))
    return Threads(items, page, pages, threads, count_visible(paper_id))


def page_of(comment: Comment, per_page: int = THREADS_PER_PAGE) -> int:
    """The page of :func:`for_paper` that shows ``comment`` (a reply: its thread's page)."""
    top = comment.parent if comment.parent_id else comment
    earlier = (
        _top_level(comment.paper_id)
        .filter(Q(created__lt=top.created) | Q(created=top.created, pk__lt=top.pk))
        .count()
    )
    return earlier // per_page + 1


def count_visible(paper_id: str) -> int:
    """Comments a reader sees: visible ones whose top-level comment is visible too."""
    return (
        Comment.objects.filter(paper_id=paper_id, hidden=False).exclude(parent__hidden=True).count()
    )

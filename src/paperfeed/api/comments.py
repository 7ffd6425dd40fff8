"""Comments through the API: list a paper's thread, add, edit and delete your own."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError

from paperfeed import params
from paperfeed.api.auth import WRITE_AUTH
from paperfeed.api.errors import NotFound
from paperfeed.api.schemas import CommentEditIn, CommentIn, CommentOut, CommentsOut, ErrorOut
from paperfeed.community import comments
from paperfeed.community.models import Comment
from paperfeed.ops import throttle
from paperfeed.papers.models import Paper

router = Router(tags=["Comments"])
WRITE_ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,  # PAPERFEED_LIMIT_COMMENT (adds retry_after; Retry-After header)
}


def comment_out(comment: Comment, replies: list[Comment] | None = None) -> dict:
    return {
        "id": comment.pk,
        "paper_id": comment.paper_id,
        "parent_id": comment.parent_id,
        "user": {"username": comment.user.get_username()} if comment.user_id else None,
        "body": comment.body,
        "body_html": comment.body_html,
        "created": comment.created,
        "edited": comment.edited,
        "replies": [comment_out(reply) for reply in replies or []],
    }


def _raise_http(exc: comments.CommentError):
    if isinstance(exc, comments.CommentNotFound):
        raise NotFound(str(exc)) from None
    if isinstance(exc, comments.CommentForbidden):
        raise HttpError(403, str(exc)) from None
    raise params.BadParameter("body", str(exc)) from None


@router.get(
    "/papers/{path:paper_id}/comments",
    response={200: CommentsOut, 400: ErrorOut, 404: ErrorOut},
    summary="A paper's comments",
)
def list_comments(request: HttpRequest, paper_id: str, page: int = 1):
    """Visible top-level comments, oldest first, each with its visible replies; a page holds
    ``per_page`` threads (``pages`` in all; a page past the last is empty)."""
    arxiv_id = params.parse_paper_id("id", paper_id)
    params.check_range("page", page, 1, 10**6)
    if not Paper.objects.visible().filter(pk=arxiv_id).exists():
        raise NotFound(f"no paper {arxiv_id!r} in this paperfeed")
    threads = comments.for_paper(arxiv_id, page)
    return {
        "id": arxiv_id,
        "total": threads.total,
        "page": threads.page,
        "pages": threads.pages,
        "per_page": comments.THREADS_PER_PAGE,
        "items": [comment_out(c, c.visible_replies) for c in threads],
    }


@router.post(
    "/papers/{path:paper_id}/comments",
    auth=WRITE_AUTH,
    response={201: CommentOut, **WRITE_ERRORS},
    summary="Comment on a paper",
)
def add_comment(request: HttpRequest, paper_id: str, payload: CommentIn):
    """Markdown subset, sanitised; ``parent_id`` answers a comment (one level of replies)."""
    arxiv_id = params.parse_paper_id("id", paper_id)
    if refused := throttle.consume(request, "comment", user=request.auth):
        return refused.response(request)
    try:
        comment = comments.add_comment(request.auth, arxiv_id, payload.body, payload.parent_id)
    except comments.CommentError as exc:
        _raise_http(exc)
    return Status(201, comment_out(comment))


@router.patch(
    "/comments/{int:comment_id}",
    auth=WRITE_AUTH,
    response={200: CommentOut, **WRITE_ERRORS},
    summary="Edit your comment",
)
def edit_comment(request: HttpRequest, comment_id: int, payload: CommentEditIn):
    if refused := throttle.consume(request, "comment", user=request.auth):
        return refused.response(request)
    try:
        comment = comments.edit_comment(request.auth, comment_id, payload.body)
    except comments.CommentError as exc:
        _raise_http(exc)
    return comment_out(comment)


@router.delete(
    "/comments/{int:comment_id}",
    auth=WRITE_AUTH,
    response={204: None, **WRITE_ERRORS},
    summary="Delete your comment",
)
def delete_comment(request: HttpRequest, comment_id: int):
    """A comment with replies keeps its place, its text replaced by a note."""
    try:
        comments.delete_comment(request.auth, comment_id)
    except comments.CommentError as exc:
        _raise_http(exc)
    return Status(204, None)

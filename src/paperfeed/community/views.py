"""Community views: vote, submit, comment. Thin shells over votes/submissions/comments.

Every state change is a POST (CSRF-protected by the middleware); htmx requests get the
re-rendered partial, plain form posts a redirect to a safe ``next`` (or the paper page).
Anonymous posts go to the login page (htmx: an ``HX-Redirect`` header).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from paperfeed import params
from paperfeed.community import comments as comments_core
from paperfeed.community import submissions, votes
from paperfeed.community.models import Comment
from paperfeed.community.vote_button import vote_button
from paperfeed.ops import throttle
from paperfeed.papers.models import Paper


def paper_path(arxiv_id: str) -> str:
    """The paper page's path: ``/papers/<arxiv id>`` (old-style ids keep their slash)."""
    return "/papers/" + quote(arxiv_id, safe="/.")


def _safe_next(request: HttpRequest, default: str) -> str:
    for candidate in (request.POST.get("next"), request.GET.get("next")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return default


def _login_redirect(request: HttpRequest, next_url: str) -> HttpResponse:
    url = f"{settings.LOGIN_URL}?{urlencode({'next': next_url})}"
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _visible_paper(arxiv_id: str) -> Paper:
    return get_object_or_404(Paper.objects.visible(), pk=arxiv_id)


# --- votes ----------------------------------------------------------------------------------


@require_POST
def vote(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Toggle the user's vote (or set it with ``voted=1``/``voted=0``)."""
    paper = _visible_paper(arxiv_id)
    back = _safe_next(request, paper_path(paper.pk))
    if not request.user.is_authenticated:
        return _login_redirect(request, back)
    wanted = request.POST.get("voted")
    try:
        if wanted in ("0", "1"):
            result = votes.set_vote(request.user, paper.pk, wanted == "1")
        else:
            result = votes.toggle_vote(request.user, paper.pk)
    except votes.VoteError as exc:
        if request.htmx:
            return HttpResponse(str(exc), status=403)
        messages.error(request, str(exc))
        return redirect(back)
    if request.htmx:
        paper.upvotes = result.count
        return HttpResponse(vote_button(request, paper, result.voted, back))
    return redirect(back)


# --- submissions ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """GET: the form and the user's recent submissions; POST: submit a paper (over
    PAPERFEED_LIMIT_SUBMIT: the form again with the refusal, 429 and ``Retry-After``)."""
    if request.method == "GET":
        return _submit_page(request, "")
    text = request.POST.get("paper", "")
    if refused := throttle.consume(request, "submit"):
        messages.error(request, refused.message)
        response = _submit_page(request, text, status=429)
        response["Retry-After"] = str(refused.retry_after)
        return response
    try:
        submission = submissions.submit(request.user, text)
    except submissions.SubmissionError as exc:
        messages.error(request, str(exc))
        return _submit_page(request, text)
    if submission.state == submission.FAILED:  # the queue could not be reached
        messages.error(request, submission.error)
    else:
        messages.success(request, _thanks(submission))
    return redirect("community:submit")  # the message and the list, newest first


def _submit_page(request: HttpRequest, text: str, status: int = 200) -> HttpResponse:
    context = {
        "text": text,
        "recent": submissions.recent(request.user),
        "limit": submissions.daily_limit(),
        "used": submissions.submitted_today(request.user),
    }
    return render(request, "community/submit.html", context, status=status)


def _thanks(submission) -> str:
    if submission.state == submission.DONE:
        return f"Thanks! {submission.arxiv_id} is in today's feed."
    return (
        f"Thanks! {submission.arxiv_id} is queued — fetching it from arXiv; "
        "it joins today's feed when it arrives."
    )


@require_GET
def submission_status(request: HttpRequest, submission_id: int) -> HttpResponse:
    """One of the user's submissions as a list item: what the submit page polls while the
    paper is being fetched (another user's, or none: 404)."""
    submission = submissions.for_user(request.user, submission_id)
    if submission is None:
        raise Http404("no such submission of yours")
    return render(request, "community/_submission.html", {"submission": submission})


# --- comments -------------------------------------------------------------------------------


def _render_comments(
    request: HttpRequest, paper: Paper, error: str = "", page: int = 1, status: int = 200
) -> HttpResponse:
    """A page of the comments block; an error is shown inside it (htmx swaps 2xx answers only)."""
    context = {
        "paper": paper,
        "comments": comments_core.for_paper(paper.pk, page),
        "user": request.user,
        "error": error,
    }
    return render(request, "community/_comments.html", context, status=status)


def _comments_response(request: HttpRequest, comment: Comment | None, paper: Paper) -> HttpResponse:
    """After a change: the page showing ``comment`` (htmx), or a redirect to it."""
    page = comments_core.page_of(comment) if comment is not None else 1
    if request.htmx:
        return _render_comments(request, paper, page=page)
    path = paper_path(paper.pk) + (f"?comments={page}" if page > 1 else "")
    anchor = f"#comment-{comment.pk}" if comment is not None else "#comments"
    return redirect(_safe_next(request, path) + anchor)


def _comment_failed(request: HttpRequest, paper: Paper, exc: Exception) -> HttpResponse:
    if request.htmx:
        return _render_comments(request, paper, error=str(exc))
    messages.error(request, str(exc))
    return redirect(_safe_next(request, paper_path(paper.pk)) + "#comments")


def _too_many_comments(request: HttpRequest, paper: Paper) -> HttpResponse | None:
    """None while the user may comment (PAPERFEED_LIMIT_COMMENT), else the refusal: in the
    comments block for htmx (it swaps 2xx only), else a 429 page."""
    refused = throttle.consume(request, "comment")
    if refused is None:
        return None
    if request.htmx:
        response = _render_comments(request, paper, error=refused.message)
        response["Retry-After"] = str(refused.retry_after)
        return response
    return refused.response(request)


def _parent_id(request: HttpRequest) -> int | None:
    raw = request.POST.get("parent", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise comments_core.CommentError(f"parent must be a comment number, got {raw[:20]!r}")
    return int(raw)


@require_http_methods(["GET", "POST"])
def paper_comments(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """GET: a page of the comments block alone (``?page=``, htmx); POST: add a comment or a
    reply."""
    paper = _visible_paper(arxiv_id)
    if request.method == "GET":
        try:
            page = params.parse_int("page", request.GET.get("page", "1"), minimum=1, maximum=10**6)
        except params.BadParameter as exc:
            return _render_comments(request, paper, error=str(exc), status=400)
        return _render_comments(request, paper, page=page)
    if not request.user.is_authenticated:
        return _login_redirect(request, paper_path(paper.pk) + "#comments")
    if refused := _too_many_comments(request, paper):
        return refused
    try:
        comment = comments_core.add_comment(
            request.user, paper.pk, request.POST.get("body", ""), _parent_id(request)
        )
    except comments_core.CommentForbidden:
        raise
    except comments_core.CommentError as exc:
        return _comment_failed(request, paper, exc)
    return _comments_response(request, comment, paper)


@require_http_methods(["GET", "POST"])
def edit_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """GET: the edit form (own comments only); POST: save it."""
    comment = get_object_or_404(Comment.objects.select_related("paper"), pk=comment_id)
    if not request.user.is_authenticated:
        return _login_redirect(request, paper_path(comment.paper_id) + f"#comment-{comment.pk}")
    if comment.user_id != request.user.pk:
        raise comments_core.CommentForbidden("you can only change your own comments")
    if request.method == "GET":
        return render(request, "community/comment_edit.html", {"comment": comment})
    if refused := _too_many_comments(request, comment.paper):
        return refused
    try:
        comment = comments_core.edit_comment(request.user, comment.pk, request.POST.get("body", ""))
    except comments_core.CommentForbidden:
        raise
    except comments_core.CommentError as exc:
        return _comment_failed(request, comment.paper, exc)
    return _comments_response(request, comment, comment.paper)


@require_POST
def delete_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("paper"), pk=comment_id)
    if not request.user.is_authenticated:
        return _login_redirect(request, paper_path(comment.paper_id) + "#comments")
    try:
        comments_core.delete_comment(request.user, comment.pk)
    except comments_core.CommentNotFound as exc:
        raise Http404(str(exc)) from exc
    return _comments_response(request, None, comment.paper)

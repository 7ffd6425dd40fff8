"""The onboarding pages (/welcome): categories, topics, papers, then done. Each step is a page
whose form posts (CSRF) and moves on; "Skip this step" is a link to the next one and "Skip"
finishes onboarding without choosing more. htmx marks papers and searches in place; without
JavaScript the same forms post and come back. The logic is :mod:`paperfeed.personal.onboarding`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paperfeed.personal import onboarding
from paperfeed.personal.models import Follow

STEPS = [
    ("welcome", "Categories"),
    ("welcome-topics", "Topics"),
    ("welcome-papers", "Papers"),
]


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back(request: HttpRequest) -> str:
    """A same-site ``next`` to return to after a plain (no-JS) post, else step 3."""
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("welcome:welcome-papers")


def _render(request: HttpRequest, template: str, step: str, status: int = 200, **context):
    steps = [
        {"url": reverse(f"welcome:{name}"), "label": label, "current": name == step}
        for name, label in STEPS
    ]
    context.update(title="Welcome", steps=steps)
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def categories(request: HttpRequest) -> HttpResponse:
    """Step 1. GET: the grouped categories, those followed checked; POST ``categories`` (any
    number): follow exactly those, then step 2."""
    user = request.user
    if request.method == "POST":
        picked = request.POST.getlist("categories")
        try:
            saved = onboarding.save_categories(user, picked)
        except onboarding.OnboardingError as exc:
            return _render(
                request,
                "personal/welcome.html",
                "welcome",
                status=400,
                error=str(exc),
                groups=onboarding.category_choices(user),
                checked=set(picked),
            )
        if saved:
            messages.success(
                request, f"Following {len(saved)} categor{'y' if len(saved) == 1 else 'ies'}."
            )
        return redirect("welcome:welcome-topics")
    return _render(
        request,
        "personal/welcome.html",
        "welcome",
        groups=onboarding.category_choices(user),
        checked=set(onboarding.followed(user, Follow.CATEGORY)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def topics(request: HttpRequest) -> HttpResponse:
    """Step 2. GET: the topics followed, one per line; POST ``topics`` (a text, one topic a
    line): follow exactly those as saved searches, then step 3."""
    user = request.user
    if request.method == "POST":
        text = request.POST.get("topics", "")
        try:
            onboarding.save_topics(user, onboarding.split_topics(text))
        except onboarding.OnboardingError as exc:
            return _render(
                request,
                "personal/welcome_topics.html",
                "welcome-topics",
                status=400,
                error=str(exc),
                text=text,
                max_topics=onboarding.MAX_TOPICS,
            )
        return redirect("welcome:welcome-papers")
    text = "\n".join(onboarding.followed(user, Follow.SEARCH))
    return _render(
        request,
        "personal/welcome_topics.html",
        "welcome-topics",
        text=text,
        max_topics=onboarding.MAX_TOPICS,
    )


@login_required
@require_GET
def papers(request: HttpRequest) -> HttpResponse:
    """Step 3: suggested papers to mark, the papers already marked and a search box (``q``);
    an htmx request for the search box gets only its results."""
    user = request.user
    query = request.GET.get("q", "").strip()[:300]
    found = onboarding.find(user, query)
    marked = onboarding.marked_ids(user)
    context = {"query": query, "found": found, "marked": set(marked), "n_marked": len(marked)}
    if _htmx(request) and request.headers.get("HX-Target") == "welcome-found":
        return render(request, "personal/welcome_found.html", context)
    context["suggestions"] = onboarding.suggestions(user)
    shown = {s.paper.pk for s in context["suggestions"]} | {p.pk for p in found}
    context["earlier"] = [p for p in onboarding.marked_papers(user) if p.pk not in shown]
    return _render(request, "personal/welcome_papers.html", "welcome-papers", **context)


@login_required
@require_POST
def mark(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Mark (``marked=1``) or unmark (``marked=0``) a paper as "more like this"; htmx gets the
    paper's button and the count back, a plain post goes back to ``next``."""
    wanted = request.POST.get("marked")
    if wanted not in ("0", "1"):
        return HttpResponse("marked must be 1 (mark) or 0 (unmark)", status=400)
    try:
        now = onboarding.mark(request.user, arxiv_id, wanted == "1")
    except onboarding.OnboardingError as exc:
        if _htmx(request):
            return HttpResponse(str(exc), status=400)
        messages.error(request, f"Not marked: {exc}")
        return redirect(_back(request))
    if not _htmx(request):
        return redirect(_back(request))
    context = {
        "paper_id": arxiv_id,
        "is_marked": now,
        "n_marked": len(onboarding.marked_ids(request.user)),
        "oob": True,
    }
    return render(request, "personal/welcome_mark.html", context)


@login_required
@require_POST
def done(request: HttpRequest) -> HttpResponse:
    """Finish (or skip) onboarding: logins stop landing here; on to the day page."""
    onboarding.finish(request.user)
    if request.POST.get("skipped"):
        messages.info(request, "Skipped: you can set up your feed any time from /welcome.")
    else:
        messages.success(request, "Your feed is set up: the lists now know what you follow.")
    return redirect("home")

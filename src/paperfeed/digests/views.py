"""Subscription pages: subscribe, confirm (double opt-in), manage preferences, unsubscribe
(incl. the RFC 8058 one-click POST), "more / less like this" feedback, and the staff preview.

Each view parses (form or signed token), calls one transition of
:mod:`paperfeed.digests.subscriptions` and renders.  Every link in an email carries a signed
token (:mod:`paperfeed.digests.tokens`); a GET only shows a page with a button, the POST changes
state.  Every POST is CSRF-protected except the
unsubscribe URL, which mail clients POST to without a cookie (RFC 8058): its signed token is the
proof instead.
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from paperfeed.digests import compose, send, subscriptions, tokens
from paperfeed.digests.feedback import record_feedback
from paperfeed.digests.forms import PreferencesForm, SubscribeForm
from paperfeed.digests.models import Subscriber
from paperfeed.ops import throttle
from paperfeed.papers.models import Paper


def _bad_link(request: HttpRequest, exc: tokens.BadToken) -> HttpResponse:
    return render(
        request,
        "digests/bad_link.html",
        {"title": "Link not valid", "reason": str(exc)},
        status=400,
    )


def _site_mail_cap(request: HttpRequest) -> subscriptions.NoticeTooSoon | None:
    """Counts one confirmation email against the site's cap (PAPERFEED_LIMIT_CONFIRMATION_MAIL)."""
    refused = throttle.consume(request, "confirmation_mail", key="site")
    if refused is None:
        return None
    return subscriptions.NoticeTooSoon(
        "paperfeed has sent as many confirmation emails as it may this hour; please try again "
        "later.",
        refused.retry_after,
    )


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """The form; a POST stores an unconfirmed subscription and mails the confirmation link."""
    initial = {}
    if request.user.is_authenticated and request.user.email:
        initial["email"] = request.user.email
    form = SubscribeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if refused := throttle.consume(request, "subscribe"):
            return refused.response(request)  # this client asked too often: no mail
        try:
            subscriptions.subscribe(
                form.cleaned_data["email"],
                form.preferences(),
                form.cleaned_data["saved_searches"],
                user=request.user,
                site_url=compose.request_site(request),
                mail_cap=lambda: _site_mail_cap(request),
            )
        except subscriptions.NoticeTooSoon as exc:
            return throttle.Refused("subscribe", "", str(exc), exc.retry_after).response(request)
        except subscriptions.NoticeNotSent:
            form.add_error(None, "We could not send the email just now; please try again.")
            context = {"title": "Email digest", "form": form}
            return render(request, "digests/subscribe.html", context, status=503)
        return render(request, "digests/check_inbox.html", {"title": "Check your inbox"})
    return render(request, "digests/subscribe.html", {"title": "Email digest", "form": form})


def _stale_link(request: HttpRequest) -> HttpResponse:
    """A confirmation link from before the address unsubscribed: 410, and the way back."""
    context = {"title": "Link no longer valid", "reason": tokens.STALE_CONFIRMATION, "stale": True}
    return render(request, "digests/bad_link.html", context, status=410)


def _confirmed(request: HttpRequest, subscriber: Subscriber, *, already: bool) -> HttpResponse:
    context = {
        "title": "Already confirmed" if already else "Subscription confirmed",
        "already": already,
        "subscriber": subscriber,
        "manage_url": compose.subscriber_links(subscriber)["manage_url"],
    }
    return render(request, "digests/confirmed.html", context)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with a button (mail scanners follow links), or "already confirmed"; POST:
    the address is confirmed. A link from before an unsubscribe is refused (410)."""
    try:
        subscriber = tokens.read_token(token, "confirm").subscriber
    except tokens.StaleLink:
        return _stale_link(request)
    except tokens.BadToken as exc:
        return _bad_link(request, exc)
    if subscriber.status == Subscriber.Status.ACTIVE:
        return _confirmed(request, subscriber, already=True)
    if request.method == "POST":
        try:
            moved = subscriptions.confirm(subscriber, link_round=subscriber.confirm_round)
        except (subscriptions.StaleConfirmation, subscriptions.TransitionNotAllowed):
            return _stale_link(request)  # unsubscribed meanwhile, or by staff in the admin
        return _confirmed(request, subscriber, already=not moved)
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return _stale_link(request)
    return render(
        request, "digests/confirm.html", {"title": "Confirm subscription", "subscriber": subscriber}
    )


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """Preferences through the signed link in every email; no log-in needed."""
    try:
        subscriber = tokens.read_token(token, "manage").subscriber
    except tokens.BadToken as exc:
        return _bad_link(request, exc)
    form = PreferencesForm(request.POST or None, instance=subscriber)
    saved = False
    if request.method == "POST" and form.is_valid():
        subscriptions.update_preferences(
            subscriber, form.preferences(), form.cleaned_data["saved_searches"]
        )
        saved = True
        form = PreferencesForm(instance=subscriber)
    context = {
        "title": "Digest preferences",
        "form": form,
        "subscriber": subscriber,
        "saved": saved,
        "unsubscribe_url": compose.subscriber_links(subscriber)["unsubscribe_url"],
    }
    return render(request, "digests/manage.html", context)


@csrf_exempt  # RFC 8058: the mail client POSTs without cookies; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with a button; POST (the button, or a mail client's one-click
    ``List-Unsubscribe=One-Click``): the address gets no more email."""
    try:
        subscriber = tokens.read_token(token, "unsubscribe").subscriber
    except tokens.BadToken as exc:
        return _bad_link(request, exc)
    if request.method == "POST":
        subscriptions.unsubscribe(subscriber)
        return render(request, "digests/unsubscribed.html", {"title": "Unsubscribed"})
    return render(
        request, "digests/unsubscribe.html", {"title": "Unsubscribe", "subscriber": subscriber}
    )


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    """ "More / less like this" from an email: GET shows the paper and a button, POST records."""
    try:
        verified = tokens.read_token(token, "feedback")
    except tokens.BadToken as exc:
        return _bad_link(request, exc)
    paper_id, signal = verified.extra
    paper = get_object_or_404(Paper, pk=paper_id)
    subscriber = verified.subscriber
    recorded = False
    if request.method == "POST":
        record_feedback(subscriber, paper, signal)
        recorded = True
    context = {
        "title": "More like this" if signal > 0 else "Less like this",
        "paper": paper,
        "signal": signal,
        "recorded": recorded,
    }
    return render(request, "digests/feedback.html", context)


@staff_member_required
@require_http_methods(["GET"])
@csp_update({"style-src-attr": ["'unsafe-inline'"]})  # a mail's styles are inlined attributes
def preview(request: HttpRequest, subscriber_id: int) -> HttpResponse:
    """Staff only: the subscriber's next digest as the email's HTML (``?format=text``: text)."""
    subscriber = get_object_or_404(Subscriber, pk=subscriber_id)
    message = compose.digest_message(send.preview(subscriber))
    if request.GET.get("format") == "text":
        body = f"Subject: {message.subject}\nTo: {subscriber.email}\n\n{message.body}"
        return HttpResponse(body, content_type="text/plain; charset=utf-8")
    return HttpResponse(message.alternatives[0][0])

"""Turning a :class:`Digest` (or a follows' :class:`Alert`) into an email.

The :class:`Digest` / :class:`Section` / :class:`DigestItem` dataclasses are the interface between
the content builder (``content.build_digest``) and the mailer: content fills them, this module
renders them. An :class:`Alert` (``alerts.build``) is the same sections for an account
(:class:`Recipient`) rather than a subscriber.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from email.utils import make_msgid

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.http.request import split_domain_port, validate_host
from django.template.loader import render_to_string
from django.urls import reverse

from paperfeed import config
from paperfeed.digests import tokens
from paperfeed.digests.mathtext import plain_math
from paperfeed.digests.models import Subscriber
from paperfeed.papers.models import Paper


@dataclass
class DigestItem:
    """One paper in a digest and why it is there ("similar to X you upvoted")."""

    paper: Paper
    why: str = ""


@dataclass
class Section:
    """A titled list of papers: "Trending", "Alert: kv cache offloading", "Recommended for you"."""

    title: str
    items: list[DigestItem] = field(default_factory=list)


class _Sections:
    sections: list[Section]

    @property
    def papers(self) -> list[Paper]:
        """Every paper of the digest once, in the order shown."""
        seen: dict[str, Paper] = {}
        for section in self.sections:
            for item in section.items:
                seen.setdefault(item.paper.pk, item.paper)
        return list(seen.values())

    @property
    def is_empty(self) -> bool:
        return not any(section.items for section in self.sections)


@dataclass
class Digest(_Sections):
    """Everything one subscriber gets for one period (``period_key`` e.g. "daily:2026-11-27")."""

    subscriber: Subscriber
    period_key: str
    sections: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class Recipient:
    """An account that gets alerts: its verified address and where its links point
    (``site_url``: the host it signed up on, see :func:`site_root`)."""

    user_id: int
    email: str
    site_url: str = ""


@dataclass
class Alert(_Sections):
    """One alert of one account's follows for one period ("instant:2026-12-06T08:10"): a
    section per follow, each paper once."""

    recipient: Recipient
    period_key: str
    sections: list[Section] = field(default_factory=list)


def without_papers(digest: Digest, exclude: set[str]) -> Digest:
    """``digest`` with the papers in ``exclude`` (already mailed) left out, and each paper kept
    only in the first section that has it; empty sections stay (rendering skips them)."""
    seen = set(exclude)
    sections = []
    for section in digest.sections:
        items = []
        for item in section.items:
            if item.paper.pk not in seen:
                seen.add(item.paper.pk)
                items.append(item)
        sections.append(Section(section.title, items))
    return Digest(digest.subscriber, digest.period_key, sections)


# --- rendering --------------------------------------------------------------------------------

AUTHORS_SHOWN = 3
ABSTRACT_CHARS = 300


DEFAULT_BASE_URL = next(s.default for s in config.SETTINGS if s.name == "PAPERFEED_BASE_URL")


def base_url_is_set() -> bool:
    """Whether PAPERFEED_BASE_URL names the site: set, and not its declared default (the
    development address ``http://localhost:8000``, which would send mail readers to a fixed
    port on their own machine)."""
    value = settings.PAPERFEED_BASE_URL.rstrip("/")
    return bool(value) and value != DEFAULT_BASE_URL


def site_root(subscriber: Subscriber | Recipient) -> str:
    """Where a subscriber's mail links point (no trailing slash): PAPERFEED_BASE_URL when it is
    set; else the scheme and host the address subscribed on (:func:`request_site`); else (an
    address stored before that was recorded, or made without a request) the setting anyway."""
    if base_url_is_set():
        return settings.PAPERFEED_BASE_URL.rstrip("/")
    return (subscriber.site_url or settings.PAPERFEED_BASE_URL).rstrip("/")


def request_site(request) -> str:
    """``scheme://host`` of ``request`` when its host is one ALLOWED_HOSTS names outright; ""
    otherwise. A wildcard ("*", ".example.org") does not count: the Host header is the
    client's word, and a forged one must not put its own site into someone's confirmation
    mail (the links carry signed tokens)."""
    host = (
        request.get_host()
    )  # DisallowedHost unless ALLOWED_HOSTS (or DEBUG's localhost) allows it
    domain, _port = split_domain_port(host)
    named = [h for h in settings.ALLOWED_HOSTS if h != "*" and not h.startswith(".")]
    if not domain or not validate_host(domain, named):
        return ""
    return f"{request.scheme}://{host}"


def absolute(path: str, subscriber: Subscriber | Recipient) -> str:
    """A site path as an absolute URL under :func:`site_root` (emails need absolute links)."""
    return site_root(subscriber) + path


def subscriber_links(subscriber: Subscriber) -> dict[str, str]:
    """The signed manage-preferences and unsubscribe links of a subscriber."""
    manage = tokens.make_token(subscriber, "manage")
    unsubscribe = tokens.make_token(subscriber, "unsubscribe")
    return {
        "manage_url": absolute(reverse("digests:manage", args=[manage]), subscriber),
        "unsubscribe_url": absolute(reverse("digests:unsubscribe", args=[unsubscribe]), subscriber),
    }


def period_label(period_key: str) -> str:
    """ "daily:2026-11-27" -> "Daily digest, 27 November 2026"; "weekly:2026-W48" -> "Weekly
    digest, week 48 of 2026"."""
    frequency, _, when = period_key.partition(":")
    if frequency == "weekly" and "-W" in when:
        year, week = when.split("-W")
        return f"Weekly digest, week {int(week)} of {year}"
    try:
        day = dt.date.fromisoformat(when)
    except ValueError:
        return f"{frequency.title()} digest, {when}"
    return f"{frequency.title()} digest, {day.day} {day:%B %Y}"


def shorten(text: str, limit: int = ABSTRACT_CHARS) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def author_line(paper: Paper) -> str:
    names = [a.name for a in paper.ordered_authors()]
    if len(names) > AUTHORS_SHOWN:
        return ", ".join(names[:AUTHORS_SHOWN]) + f" and {len(names) - AUTHORS_SHOWN} more"
    return ", ".join(names)


def _item_context(subscriber: Subscriber, item: DigestItem) -> dict:
    feedback = {}
    for name, signal in (("more_url", 1), ("less_url", -1)):
        token = tokens.feedback_token(subscriber, item.paper.pk, signal)
        feedback[name] = absolute(reverse("digests:feedback", args=[token]), subscriber)
    return {**_paper_context(subscriber, item), **feedback}


def _paper_context(to: Subscriber | Recipient, item: DigestItem) -> dict:
    paper = item.paper
    return {
        "id": paper.pk,
        "title": plain_math(paper.title),
        "authors": author_line(paper),
        "abstract": shorten(plain_math(paper.abstract)),
        "categories": paper.categories,
        "url": absolute(reverse("paper", args=[paper.pk]), to),
        "pdf_url": paper.pdf_url,
        "why": plain_math(item.why),  # it quotes a liked paper's title
    }


def _render(template: str, context: dict) -> tuple[str, str]:
    """(plain text, HTML with the <style> rules inlined) for ``digests/email/TEMPLATE``."""
    text = render_to_string(f"digests/email/{template}.txt", context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    html = render_to_string(f"digests/email/{template}.html", context)
    return text, css_inline.inline(html)


def _message(
    subscriber: Subscriber, subject: str, template: str, context: dict
) -> EmailMultiAlternatives:
    return _mail(subscriber, subscriber_links(subscriber), subject, template, context)


def _mail(
    to: Subscriber | Recipient, links: dict, subject: str, template: str, context: dict
) -> EmailMultiAlternatives:
    """A mail of ``digests/email/TEMPLATE`` to ``to``, with its manage and unsubscribe
    ``links`` in the footer and the list headers."""
    context = {**context, **links, "site_url": site_root(to) + "/", "email": to.email}
    text, html = _render(template, context)
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to.email],
        headers={
            # RFC 2369 + RFC 8058: mail clients show an unsubscribe button that POSTs
            # "List-Unsubscribe=One-Click" to the URL, with no cookie and no CSRF token.
            "List-Unsubscribe": f"<{links['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": make_msgid("paperfeed", domain=domain),
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def confirmation_message(subscriber: Subscriber) -> EmailMultiAlternatives:
    """The double opt-in email: a link to the page whose button confirms the address."""
    token = tokens.make_token(subscriber, "confirm")
    context = {
        "confirm_url": absolute(reverse("digests:confirm", args=[token]), subscriber),
        "frequency": subscriber.get_frequency_display(),
        "valid_days": tokens.CONFIRM_MAX_AGE // 86400,
    }
    return _message(subscriber, "Confirm your paperfeed digest", "confirm", context)


def already_subscribed_message(subscriber: Subscriber) -> EmailMultiAlternatives:
    """Sent instead of a confirmation when an active address subscribes again: the page does not
    say whether an address is subscribed, the mailbox owner gets a link to their preferences."""
    return _message(subscriber, "Your paperfeed digest", "already", {})


def digest_message(digest: Digest) -> EmailMultiAlternatives:
    """The digest email of ``digest``: HTML (CSS inlined) and plain text, list headers."""
    subscriber = digest.subscriber
    sections = [
        {
            "title": section.title,
            "items": [_item_context(subscriber, item) for item in section.items],
        }
        for section in digest.sections
        if section.items
    ]
    label = period_label(digest.period_key)
    count = sum(len(s["items"]) for s in sections)
    context = {"label": label, "sections": sections, "count": count}
    subject = f"paperfeed: {count} paper{'s' if count != 1 else ''} - {label}"
    return _message(subscriber, subject, "digest", context)


def alert_period_label(period_key: str) -> str:
    """ "instant:2026-12-06T08:10" -> "New papers you follow, 6 December 2026 08:10 UTC";
    "daily:..." / "weekly:..." -> "Daily alert, 6 December 2026", "Weekly alert, week 49 of
    2026"."""
    frequency, _, when = period_key.partition(":")
    if frequency == "instant":
        try:
            end = dt.datetime.strptime(when, "%Y-%m-%dT%H:%M")
        except ValueError:
            return f"New papers you follow, {when}"
        return f"New papers you follow, {end.day} {end:%B %Y %H:%M} UTC"
    return period_label(period_key).replace(" digest,", " alert,")


def alert_links(recipient: Recipient) -> dict[str, str]:
    """The follows page (manage) and the signed stop-all-alerts link of an account."""
    token = tokens.alerts_token(recipient.user_id, recipient.email)
    return {
        "manage_url": absolute(reverse("personal:follows"), recipient),
        "unsubscribe_url": absolute(reverse("digests:alerts-off", args=[token]), recipient),
    }


def alert_message(alert: Alert) -> EmailMultiAlternatives:
    """The alert email of ``alert``: a section per follow, the follows page to manage them and
    a one-click link (and ``List-Unsubscribe``) that stops every alert of the account."""
    to = alert.recipient
    sections = [
        {"title": section.title, "items": [_paper_context(to, item) for item in section.items]}
        for section in alert.sections
        if section.items
    ]
    label = alert_period_label(alert.period_key)
    count = sum(len(s["items"]) for s in sections)
    context = {"label": label, "sections": sections, "count": count}
    follows = ", ".join(s["title"].partition(": ")[2] or s["title"] for s in sections)
    subject = f"paperfeed: {count} new paper{'s' if count != 1 else ''} - {shorten(follows, 80)}"
    return _mail(to, alert_links(to), subject, "alert", context)

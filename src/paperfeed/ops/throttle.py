"""Who is asking, and how often: the client address behind trusted proxies, and paperfeed's rate
limits (subscribe, submit, comment; logins are allauth's own, keyed through the same address).

**The client address.** Behind nginx every request comes from nginx: counting by ``REMOTE_ADDR``
would make one attacker's failed logins lock out everyone. ``PAPERFEED_TRUSTED_PROXIES`` says
which hops to believe (docs/security.md):

- empty (default): nothing is trusted, the client is ``REMOTE_ADDR``;
- a count ``N``: exactly N proxies stand in front, each appending to ``X-Forwarded-For``; the
  client is the N-th address from the right (what allauth's ``ALLAUTH_TRUSTED_PROXY_COUNT`` does);
- networks (``10.0.0.0/8, 127.0.0.1``): a hop inside them is a proxy; starting from
  ``REMOTE_ADDR`` and walking ``X-Forwarded-For`` from the right, the first address outside them
  is the client. Only the addresses the trusted proxies appended are read, so a client cannot
  choose its own by sending the header.

:func:`client_address` is the one answer; the allauth adapter returns it too, so allauth's login
limits and ours count the same address.

**Limits.** Each action has a rate setting (``PAPERFEED_LIMIT_*``) written as allauth writes its
own: comma-separated ``amount/period/per``, period ``s``/``m``/``h``/``d`` (``5m`` = five
minutes), per ``ip`` (client address; IPv6 by its /64), ``user`` or ``key`` (a value the caller
names, e.g. ``"all"`` for a site-wide cap). Counting is allauth's sliding window in Django's
cache (a file cache in the data directory that every worker process of a node shares), each
key under a lock.
"""

from __future__ import annotations

import ipaddress
import logging
import math
from dataclasses import dataclass

from allauth.core.internal import ratelimit as _allauth
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from paperfeed.config import TrustedProxies

APP = "paperfeed"
log = logging.getLogger("paperfeed.ops")

# action -> (setting holding its rates, what is limited, for the refusal's message)
ACTIONS: dict[str, tuple[str, str]] = {
    "subscribe": ("PAPERFEED_LIMIT_SUBSCRIBE", "subscription requests"),
    "confirmation_mail": ("PAPERFEED_LIMIT_CONFIRMATION_MAIL", "confirmation emails"),
    "submit": ("PAPERFEED_LIMIT_SUBMIT", "paper submissions"),
    "comment": ("PAPERFEED_LIMIT_COMMENT", "comments"),
    "import": ("PAPERFEED_LIMIT_IMPORT", "library imports"),
    "invite": ("PAPERFEED_LIMIT_INVITE", "invitations to collections"),
    "org": ("PAPERFEED_LIMIT_ORG", "new organisations"),
    "export_account": ("PAPERFEED_LIMIT_ACCOUNT_EXPORT", "downloads of your data"),
    "delete_account": ("PAPERFEED_LIMIT_ACCOUNT_DELETE", "attempts to delete your account"),
    "claim": ("PAPERFEED_LIMIT_CLAIM", "claims to be an author"),
}
_WHO = {"ip": "from your network", "user": "from your account", "key": ""}


# --- trusted proxies ---------------------------------------------------------------------------


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "1.2.3.4:5678"
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def resolve_client(remote_addr: str, forwarded_for: str, trusted: TrustedProxies) -> str:
    """The client's address given the socket's peer, the ``X-Forwarded-For`` header and the
    trusted proxies; pure, so every case is tested without a request."""
    remote = _ip(remote_addr or "")
    hops = [h for h in (forwarded_for or "").split(",") if h.strip()]
    if trusted.count and hops:
        chosen = _ip(hops[-min(trusted.count, len(hops))])
        return str(chosen or remote or "")
    if trusted.networks and remote is not None:
        current = remote
        for hop in reversed(hops):
            if not any(current in net for net in trusted.networks):
                break
            parsed = _ip(hop)
            if parsed is None:  # garbage appended by a trusted hop: the hop before it answers
                break
            current = parsed
        return str(current)
    return str(remote or "")


_warned = False


def client_address(request: HttpRequest) -> str:
    """The address of whoever sent ``request`` (see the module docstring). Requests that carry
    ``X-Forwarded-For`` while no proxy is trusted get one warning per process in the log: behind
    a proxy that is the misconfiguration that makes every client count as the proxy."""
    global _warned
    trusted = getattr(settings, "PAPERFEED_TRUSTED_PROXIES", None) or TrustedProxies()
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and not (trusted.count or trusted.networks) and not _warned:
        _warned = True
        log.warning(
            "requests carry X-Forwarded-For but PAPERFEED_TRUSTED_PROXIES is empty: rate limits "
            "count the proxy's address for every client; behind one nginx set it to 1"
        )
    return resolve_client(request.META.get("REMOTE_ADDR", ""), forwarded, trusted)


# --- limits ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refused:
    """A request over one of its action's rates: why, and when to come back."""

    action: str
    rate: str
    message: str
    retry_after: int  # seconds

    def response(self, request: HttpRequest) -> HttpResponse:
        """429 with ``Retry-After``: the API's JSON error under /api/, else the error page."""
        from paperfeed.api import errors  # lazy: the API's modules import this one

        if errors.is_api(request):
            body = errors.error_body(request, self.message, retry_after=self.retry_after)
            response: HttpResponse = JsonResponse(body, status=429)
        else:
            context = {"title": "Too many requests", "message": self.message}
            response = render(request, "web/error.html", context, status=429)
        response["Retry-After"] = str(self.retry_after)
        return response


def rates(action: str) -> list[str]:
    """The rates an action is held to, as its setting writes them (checked at start-up)."""
    setting, _ = ACTIONS[action]
    return [part.strip() for part in getattr(settings, setting, "").split(",") if part.strip()]


def _period(seconds: float) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = round(seconds / size)
            return f"{'an' if unit == 'hour' else 'a'} {unit}" if n == 1 else f"{n} {unit}s"
    return f"{math.ceil(seconds)} seconds"


def _refusal(action: str, text: str) -> Refused:
    rate = _allauth.parse_rate(text)
    _, what = ACTIONS[action]
    who = _WHO[rate.per]
    message = (
        f"Too many {what}{' ' + who if who else ''}: at most {rate.amount} "
        f"per {_period(rate.duration).removeprefix('a ').removeprefix('an ')}. "
        f"Please try again in {_period(rate.duration)}."
    )
    return Refused(action, text, message, math.ceil(rate.duration))


def consume(request: HttpRequest, action: str, *, key: str = "", user=None) -> Refused | None:
    """Count one ``action`` by this request against every rate of its setting; None when all
    allow it, else the first refusal (and nothing is counted: an earlier rate's hit is rolled
    back, unlike allauth's own ``consume``). ``user`` defaults to the request's."""
    taken = []
    for text in rates(action):
        if _allauth.parse_rate(text).per == "user" and not getattr(
            user or request.user, "is_authenticated", False
        ):
            continue  # an anonymous request is held by the per-address rates
        usage = _allauth.consume(
            request,
            app=APP,
            action=action,
            config={action: text},
            key=key or None,
            user=user,
            limit_get=True,
        )
        if usage is None:
            for earlier in taken:
                earlier.rollback()
            return _refusal(action, text)
        taken.append(usage)
    return None

"""Who may see the operations detail: ``/metrics`` and the checks behind ``/readyz``.

Both tell an outsider what the node runs (database vendor, document counts, index generation,
error text, traffic by route), so the app itself decides, not only the proxy in front of it.
A request sees the detail when

- its client address (:func:`paperfeed.ops.throttle.client_address`: behind the proxies that
  ``PAPERFEED_TRUSTED_PROXIES`` trusts, not the proxy itself) is inside one of
  ``PAPERFEED_OPS_NETWORKS`` (default loopback: ``127.0.0.0/8, ::1``), or
- it sends ``Authorization: Bearer <PAPERFEED_OPS_TOKEN>`` (compared in constant time; an empty
  setting accepts no token).

Anyone else gets ``/readyz`` as a bare status (200 ``{"status": "ok"}`` or 503
``{"status": "unavailable"}``, which is all a load balancer needs) and ``/metrics`` a 403 that
says how to get in. ``/healthz`` says nothing beyond "the process answers" and stays open.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest

from paperfeed.ops.throttle import client_address


def bearer_token(request: HttpRequest) -> str:
    """The credentials of an ``Authorization: Bearer ...`` header, else ``""``."""
    scheme, _, credentials = request.headers.get("Authorization", "").strip().partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


def in_networks(address: str, networks) -> bool:
    """Whether ``address`` (IPv4, IPv6, or IPv4-mapped IPv6) lies in one of ``networks``;
    False for anything that does not parse."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:  # "::ffff:127.0.0.1" from a [::] socket
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


def sees_detail(request: HttpRequest) -> bool:
    """Whether ``request`` may see ``/metrics`` and ``/readyz``'s checks (module docstring)."""
    expected = getattr(settings, "PAPERFEED_OPS_TOKEN", "")
    given = bearer_token(request)
    if expected and given and hmac.compare_digest(given.encode(), expected.encode()):
        return True
    return in_networks(client_address(request), getattr(settings, "PAPERFEED_OPS_NETWORKS", ()))

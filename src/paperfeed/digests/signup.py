"""Where an account signed up: stored at sign-up (allauth's ``user_signed_up``) so that its alert
mails link to that host when PAPERFEED_BASE_URL is not set, as a subscriber's digests link to
the host it subscribed on (:func:`paperfeed.digests.compose.site_root`)."""

from __future__ import annotations

from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from paperfeed.digests.compose import request_site
from paperfeed.digests.models import SignupSite


@receiver(user_signed_up, dispatch_uid="paperfeed.digests.signup_site")
def remember_site(sender, request, user, **kwargs) -> None:
    """Store ``scheme://host`` of the sign-up request, when ALLOWED_HOSTS names the host
    outright (:func:`request_site`: a forged Host header is not stored)."""
    site = request_site(request) if request is not None else ""
    if site:
        SignupSite.objects.update_or_create(user=user, defaults={"site_url": site})

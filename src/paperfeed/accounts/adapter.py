"""paperfeed's allauth adapter: usernames NFKC-normalised and look-alikes refused at sign-up,
failed logins counted per account and per client address behind the trusted proxies, and a new
account's first login lands on onboarding (/welcome).

allauth asks the adapter where to go after a login only when the login form carried no
``next``; an account that has done nothing yet (:func:`paperfeed.personal.onboarding.needs_onboarding`)
goes to /welcome, everyone else to ``LOGIN_REDIRECT_URL`` as before.

allauth's ``login_failed`` limit (``ACCOUNT_RATE_LIMITS``, "5/5m/key") counts under a key made
of the login as typed, so "alice", "ALICE@example.org" and "ﬁona" for "fiona" were buckets of
their own and an attacker had five guesses per spelling. The key here is the account the login
names (:func:`login_key`); a login that names no account keeps a key of its normalised text.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import filter_users_by_email
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.urls import reverse

from paperfeed.accounts import usernames
from paperfeed.ops.throttle import client_address
from paperfeed.personal import onboarding


def login_key(credentials: dict) -> str:
    """The account a login form's credentials name (address first, then username; NFKC and
    case-insensitive, as they log in), as ``user:<pk>``; else the normalised login itself."""
    email = credentials.get("email")
    if email and "\x00" not in email:
        users = filter_users_by_email(usernames.normalize(email), prefer_verified=True)
        if users:
            return f"user:{users[0].pk}"
    name = credentials.get("username") or email or ""
    user = usernames.find_by_login(name)
    if user is not None:
        return f"user:{user.pk}"
    return "login:" + usernames.normalize(name).casefold()


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """The address allauth's limits count: the client behind the trusted proxies, as for
        every limit of paperfeed's ("unknown" when the server was given none)."""
        return client_address(request) or "unknown"

    def clean_username(self, username, shallow=False):
        """NFKC first (allauth's validators and "taken" check then see the stored form), then
        no look-alike of an existing username."""
        username = super().clean_username(usernames.normalize(username), shallow=shallow)
        if not shallow:
            existing = usernames.lookalike(username)
            if existing is not None:
                raise ValidationError(usernames.clash_message(username, existing))
        return username

    def authenticate(self, request, **credentials):
        """A login typed in another Unicode form ("ﬁona") finds the stored, normalised name."""
        for field in ("username", "email"):
            if isinstance(credentials.get(field), str):
                credentials[field] = usernames.normalize(credentials[field])
        return super().authenticate(request, **credentials)

    def _get_login_attempts_cache_key(self, request, **credentials):
        """allauth's hook for the ``login_failed`` key (and its reset after a password reset)."""
        return f"{get_current_site(request).domain}:{login_key(credentials)}"

    def get_login_redirect_url(self, request):
        if onboarding.needs_onboarding(request.user):
            return reverse("welcome:welcome")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        """Only reached when a sign-up logs in at once (not with mandatory verification)."""
        if request.user.is_authenticated and onboarding.needs_onboarding(request.user):
            return reverse("welcome:welcome")
        return super().get_signup_redirect_url(request)

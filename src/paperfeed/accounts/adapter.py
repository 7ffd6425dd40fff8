"""paperfeed's allauth adapter: a new account's first login lands on onboarding (/welcome), and
allauth's rate limits count the client address behind the trusted proxies.

allauth asks the adapter where to go after a login only when the login form carried no
``next``; an account that has done nothing yet (:func:`paperfeed.personal.onboarding.needs_onboarding`)
goes to /welcome, everyone else to ``LOGIN_REDIRECT_URL`` as before.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from paperfeed.ops.throttle import client_address
from paperfeed.personal import onboarding


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """The address allauth's limits count: the client behind the trusted proxies, as for
        every limit of paperfeed's ("unknown" when the server was given none)."""
        return client_address(request) or "unknown"

    def get_login_redirect_url(self, request):
        if onboarding.needs_onboarding(request.user):
            return reverse("welcome:welcome")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        """Only reached when a sign-up logs in at once (not with mandatory verification)."""
        if request.user.is_authenticated and onboarding.needs_onboarding(request.user):
            return reverse("welcome:welcome")
        return super().get_signup_redirect_url(request)

"""/admin/login/ under the site login's limits (issue 14 item 4).

Django's admin login form authenticates on its own, unthrottled. This form authenticates through
allauth's adapter instead, which counts failed attempts exactly as /accounts/login/ does
(``PAPERFEED_LIMIT_LOGIN_FAILED``: per client address behind the trusted proxies, and per
account), in the same buckets: ten wrong guesses on one page lock the other too.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = get_adapter(self.request).authenticate(
                    self.request, username=username, password=password
                )
            except ValidationError as exc:  # over the limit: allauth's "too many attempts"
                raise ValidationError(exc.messages, code="too_many_login_attempts") from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


def install(site: admin.AdminSite = admin.site) -> None:
    site.login_form = ThrottledAdminLoginForm

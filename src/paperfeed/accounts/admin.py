"""Accounts in the Django admin: users (django.contrib.auth's admin with deactivate/reactivate
for moderation) and API tokens (staff see them, never the secret, and revoke them)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from paperfeed.accounts import admin_login, tokens, usernames
from paperfeed.accounts.models import ApiToken

admin_login.install()  # /admin/login/ counts failed logins as the site login does
User = get_user_model()
admin.site.unregister(User)  # django.contrib.auth's stock admin, replaced by this one


class NoLookalike:
    """A user form's username: NFKC-normalised (Django's UsernameField) and no look-alike of
    another account's (paperfeed/accounts/usernames.py), as at sign-up."""

    def clean_username(self):
        cleaned = getattr(super(), "clean_username", None)
        username = cleaned() if cleaned else self.cleaned_data["username"]
        existing = usernames.lookalike(username, exclude_pk=self.instance.pk)
        if existing is not None:
            raise ValidationError(usernames.clash_message(username, existing))
        return username


class AddUserForm(NoLookalike, AdminUserCreationForm):
    pass


class ChangeUserForm(NoLookalike, UserChangeForm):
    pass


@admin.register(User)
class ModeratedUserAdmin(UserAdmin):
    form = ChangeUserForm
    add_form = AddUserForm
    actions = ["deactivate_users", "reactivate_users"]

    @admin.action(
        description="Deactivate selected users (they can no longer log in or post; their API "
        "tokens are revoked)"
    )
    def deactivate_users(self, request, queryset) -> None:
        others = queryset.exclude(pk=request.user.pk)
        with transaction.atomic():  # update() sends no signal: revoke here (accounts.revocation)
            tokens.revoke_all(list(others.values_list("pk", flat=True)))
            n = others.update(is_active=False)
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(request, "You cannot deactivate yourself; skipped.", messages.WARNING)
        self.message_user(request, f"Deactivated {n} user(s).", messages.SUCCESS)

    @admin.action(description="Reactivate selected users")
    def reactivate_users(self, request, queryset) -> None:
        n = queryset.update(is_active=True)
        self.message_user(request, f"Reactivated {n} user(s).", messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owners; staff can see them (never the secret) and revoke."""

    list_display = ["prefix", "name", "user", "created", "last_used", "revoked"]
    list_filter = ["revoked", "created"]
    search_fields = ["prefix", "name", "user__username"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "prefix", "hash", "created", "last_used", "revoked"]
    actions = ["revoke_tokens"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Revoke selected tokens")
    def revoke_tokens(self, request, queryset) -> None:
        n = queryset.filter(revoked__isnull=True).update(revoked=timezone.now())
        self.message_user(request, f"Revoked {n} token(s).", messages.SUCCESS)

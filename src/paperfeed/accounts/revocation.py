"""An account's API tokens die with its credentials: on every save of a user that changes the
password or turns ``is_active`` off, :func:`paperfeed.accounts.tokens.revoke_all` revokes them.

Signals on the user model cover every path that saves a user: allauth's password change and
reset, the admin's change form and set-password page, ``manage.py changepassword``,
``user.save()`` in code. Bulk ``QuerySet.update()`` sends no signal: the admin's deactivate
action revokes explicitly, and :func:`~paperfeed.accounts.tokens.authenticate_token` refuses any
token of an inactive account whatever its row says.

A new hash of the *same* password is not a change: Django re-hashes a password on login when the
hasher's parameters changed (``check_password`` saves ``update_fields=["password"]``), and that
must not log every script out. When the raw password is known (``set_password`` keeps it until
the save), it is checked against the stored hash; a hash written directly counts as a change.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from paperfeed.accounts import tokens

_PENDING = "_paperfeed_revoke_tokens"
WATCHED = frozenset({"password", "is_active"})


def _password_changed(user, stored_hash: str) -> bool:
    if user.password == stored_hash:
        return False
    raw = getattr(user, "_password", None)  # set by set_password() until the save ends
    return raw is None or not check_password(raw, stored_hash)


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="paperfeed-token-revocation")
def note_credential_change(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Before a user is saved: does this save change the password or deactivate the account?"""
    instance.__dict__.pop(_PENDING, None)
    if raw or instance.pk is None:  # fixtures; a new account has no tokens
        return
    if update_fields is not None and not WATCHED & set(update_fields):
        return  # e.g. the last_login update of every login: no query
    stored = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    deactivated = stored["is_active"] and not instance.is_active
    if deactivated or _password_changed(instance, stored["password"]):
        instance.__dict__[_PENDING] = True


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="paperfeed-token-revocation")
def revoke_tokens(sender, instance, created=False, **kwargs) -> None:
    """After that save: revoke the account's tokens (inside the save's transaction, if any)."""
    if instance.__dict__.pop(_PENDING, False):
        tokens.revoke_all([instance.pk])

"""A user's preferences: read once per request, written by one function per choice.

:func:`get` hands back the user's :class:`~paperfeed.personal.models.Preferences`, or unsaved
defaults when they never chose anything. It reads at most one row per user object: the answer
is kept on the object, so the list code, the order decision and the templates of one request
share one query (``request.user`` lives as long as the request). Anonymous users get the
defaults without a query.

:func:`for_this_view` changes what :func:`get` answers for the rest of one request without
saving it: the lists' ``?seen=show`` ("show them") link. The writers (:func:`set_seen`,
:func:`mark_onboarded`) never save that object: they update the row and the kept copy.
"""

from __future__ import annotations

from django.utils import timezone

from paperfeed.personal.models import Preferences

SEEN_MODES = tuple(mode for mode, _ in Preferences.SEEN_CHOICES)
ORDERS = tuple(order for order, _ in Preferences.ORDERS)
_KEPT = "_paperfeed_preferences"
"""The attribute of a user object that keeps its preferences for the request."""


class PreferenceError(ValueError):
    """A preference that cannot be set, said in words."""


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def get(user) -> Preferences:
    """``user``'s preferences (unsaved defaults when they have no row, or are anonymous)."""
    if not _signed_in(user):
        return Preferences()
    kept = getattr(user, _KEPT, None)
    if kept is None:
        kept = Preferences.objects.filter(user_id=user.pk).first() or Preferences(user_id=user.pk)
        setattr(user, _KEPT, kept)
    return kept


def check_seen(mode: str) -> str:
    """``mode`` if it is a seen mode, else :class:`PreferenceError` naming the choices.

    >>> check_seen("hide")
    'hide'
    >>> check_seen("gone")
    Traceback (most recent call last):
    ...
    paperfeed.personal.preferences.PreferenceError: seen must be one of show, dim, hide, not 'gone'
    """
    if mode not in SEEN_MODES:
        raise PreferenceError(
            f"seen must be one of {', '.join(SEEN_MODES)}, not {str(mode)[:20]!r}"
        )
    return mode


def check_order(order: str) -> str:
    """``order`` if it is a list order preference, else :class:`PreferenceError`."""
    if order not in ORDERS:
        raise PreferenceError(f"order must be one of {', '.join(ORDERS)}, not {str(order)[:20]!r}")
    return order


def _update(user, **fields) -> Preferences:
    """Save ``fields`` on ``user``'s row (made if absent) and on the kept copy."""
    if not _signed_in(user):
        raise PreferenceError("log in to keep preferences")
    row, created = Preferences.objects.get_or_create(user_id=user.pk, defaults=fields)
    if not created:
        Preferences.objects.filter(pk=row.pk).update(updated=timezone.now(), **fields)
        for name, value in fields.items():
            setattr(row, name, value)
    setattr(user, _KEPT, row)
    return row


def set_seen(user, mode: str) -> Preferences:
    """Remember what ``user``'s lists and digests do with papers they have seen."""
    return _update(user, seen=check_seen(mode))


def set_order(user, order: str) -> Preferences:
    """Remember ``user``'s list order (the API's PATCH; what it means: personal/order.py)."""
    return _update(user, order=check_order(order))


def mark_onboarded(user) -> Preferences:
    """Record that ``user`` finished (or skipped) onboarding, now."""
    return _update(user, onboarded_at=timezone.now())


def for_this_view(user, *, seen: str | None = None) -> None:
    """Show this request's lists with the seen mode ``seen`` (validated) instead of the
    user's own, without saving it; nothing for ``None`` or an anonymous user."""
    if seen is None or not _signed_in(user):
        return
    mode = check_seen(seen)
    kept = get(user)
    view = Preferences(
        user_id=user.pk,
        order=kept.order,
        seen=mode,
        feed_token=kept.feed_token,
        onboarded_at=kept.onboarded_at,
    )
    setattr(user, _KEPT, view)

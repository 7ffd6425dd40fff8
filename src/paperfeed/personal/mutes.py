"""Adding and removing a user's mutes: the one writer of :class:`~paperfeed.personal.models.Mute`.

The settings page, the paper page's mute buttons and the API all come here, so every door
checks a value the same way and says in words what was wrong (:class:`MuteError`).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from paperfeed.papers.models import Author
from paperfeed.params import BadParameter, check_category_name
from paperfeed.personal.models import Mute

KINDS = tuple(kind for kind, _ in Mute.KINDS)
MAX_MUTES = 200
"""Mutes one user may keep: each is a term of every list query that user runs."""
MIN_KEYWORD = 2
MAX_KEYWORD = 100


class MuteError(ValueError):
    """A mute that cannot be added or removed, said in words."""


def normalise(kind: str, value: str) -> str:
    """``value`` as stored for ``kind``, or :class:`MuteError` naming what is wrong.

    >>> normalise("keyword", "  Large   Language Models ")
    'large language models'
    >>> normalise("category", " cs.CV ")
    'cs.CV'
    >>> normalise("keyword", "a")
    Traceback (most recent call last):
    ...
    paperfeed.personal.mutes.MuteError: a keyword must be 2 to 100 characters, not 'a'
    """
    if kind not in KINDS:
        raise MuteError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    text = " ".join(str(value).split())
    if kind == Mute.KEYWORD:
        text = text.lower()
        if not MIN_KEYWORD <= len(text) <= MAX_KEYWORD:
            raise MuteError(
                f"a keyword must be {MIN_KEYWORD} to {MAX_KEYWORD} characters, not {text[:40]!r}"
            )
    elif kind == Mute.CATEGORY:
        try:
            check_category_name("category", text)
        except BadParameter as exc:
            raise MuteError(exc.problem) from None
    elif not text:
        raise MuteError("an author's name is empty")
    return text


def _check_user(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise MuteError("log in to mute keywords, authors or categories")
    if not user.is_active:
        raise MuteError("this account is deactivated")


def add_mute(user, kind: str, value: str) -> tuple[Mute, bool]:
    """Mute ``value`` for ``user``; returns the row and whether it is new (muting twice is one
    mute). An author must be one the store knows, so a typo cannot silently mute nobody."""
    _check_user(user)
    value = normalise(kind, value)
    if kind == Mute.AUTHOR and not Author.objects.filter(name=value).exists():
        raise MuteError(f"no author called {value[:80]!r} here (names are matched exactly)")
    existing = Mute.objects.filter(user=user, kind=kind, value=value).first()
    if existing is not None:
        return existing, False
    if Mute.objects.filter(user=user).count() >= MAX_MUTES:
        raise MuteError(f"at most {MAX_MUTES} mutes: remove one first")
    try:
        with transaction.atomic():  # savepoint: a concurrent click may insert it first
            return Mute.objects.create(user=user, kind=kind, value=value), True
    except IntegrityError:
        return Mute.objects.get(user=user, kind=kind, value=value), False


def remove_mute(user, kind: str, value: str) -> bool:
    """Unmute; True if there was such a mute (removing twice is not an error)."""
    _check_user(user)
    value = normalise(kind, value)
    deleted, _ = Mute.objects.filter(user=user, kind=kind, value=value).delete()
    return bool(deleted)


def remove_by_id(user, mute_id: int) -> bool:
    """Unmute the user's mute ``mute_id``; False when the user has no such mute."""
    _check_user(user)
    deleted, _ = Mute.objects.filter(user=user, pk=mute_id).delete()
    return bool(deleted)


def mutes_of(user) -> list[Mute]:
    """The user's mutes, by kind then value (none for an anonymous user)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(Mute.objects.filter(user=user))

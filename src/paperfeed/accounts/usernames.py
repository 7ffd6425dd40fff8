"""What makes two usernames one: NFKC normalisation and Unicode's confusable skeletons.

A username is stored NFKC-normalised ("ﬁona" is stored, found and logged in as "fiona") and is
refused when it looks like an existing one: "аdmin" with a Cyrillic "а", "ǃ" for "!", "Ian" for
"lan". Looking alike is UTS #39's skeleton (section 4): each character replaced by the prototype
of its confusable class, compared case-insensitively. The classes are Unicode's confusables.txt
as the ``confusable_homoglyphs`` package ships it; :func:`_prototypes` turns its table back into
the source → prototype mapping the skeleton needs. Each account's skeletons (of the name as
shown and in lower and upper case, :func:`skeleton_hashes`) are kept, hashed, in
:class:`~paperfeed.accounts.models.UsernameSkeleton`: a check is one indexed lookup. The
receivers at the end keep them current on every save (connected by ``apps.py``).

Sign-up (the allauth adapter), the admin's user forms, log-in and the ``/users/<name>`` pages and
API all go through :func:`normalize`, :func:`lookalike` and :func:`find_active`.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

_DIRECTION_MARKS = str.maketrans("", "", "\u200e\u200f")  # around right-to-left glyphs in the data


def normalize(name: str) -> str:
    """The form a username is stored and looked up in: NFKC (compatibility characters such as
    ligatures, full-width and mathematical letters become the plain ones), no outer spaces."""
    return unicodedata.normalize("NFKC", name).strip()


@functools.cache
def _prototypes() -> dict[str, str]:
    """Source character → prototype, from confusable_homoglyphs' table of confusables.txt.

    That table lists, for every line ``source → prototype`` of confusables.txt, the prototype
    under the source and the source under the prototype. A prototype is never a source (the
    mapping is idempotent), so a character listing one entry is a source, unless that entry
    lists only it back: a class of two, where either may be the prototype; both then map to the
    smaller, which gives the same skeletons."""
    from confusable_homoglyphs.confusables import confusables_data

    table = {
        key.translate(_DIRECTION_MARKS): [e["c"].translate(_DIRECTION_MARKS) for e in entries]
        for key, entries in confusables_data.items()
    }
    mapping = {}
    for char, entries in table.items():
        if len(char) != 1 or len(entries) != 1 or entries[0] == char:
            continue
        (other,) = entries
        if table.get(other) == [char]:
            mapping[char] = min(char, other)
        else:
            mapping[char] = other
    return mapping


def _mapped(text: str) -> str:
    prototypes = _prototypes()
    return "".join(prototypes.get(char, char) for char in text)


def skeleton(name: str) -> str:
    """UTS #39's skeleton of ``name`` after NFKC, case-folded: the username as shown, each
    character its confusable class's prototype ("аdmin" → "adrnin", "Ian" → "lan"), compared
    without regard to case ("Аdmin" with a Cyrillic "А" meets "admin")."""
    text = _mapped(unicodedata.normalize("NFD", normalize(name)))
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", text).casefold())


def skeleton_hashes(name: str) -> set[str]:
    """What is stored and compared of a username: the skeletons of its lower- and upper-case
    forms besides its own, as SHA-256 hex (a fixed-size indexed column, however long the
    skeleton of a 150-character name grows). Logins are case-insensitive, so "admin" is also
    "ADMIN", which "АDMIN" with a Cyrillic "А" looks like, and "Ian" ("ian") looks like "lan":
    two names clash when any of these meet."""
    name = normalize(name)
    return {
        hashlib.sha256(skeleton(form).encode("utf-8", "surrogatepass")).hexdigest()
        for form in (name, name.lower(), name.upper())
    }


def lookalike(name: str, *, exclude_pk=None):
    """The existing account whose username looks like ``name`` (a skeleton in common) or is
    ``name`` in another case, or None. ``exclude_pk``: the account being edited."""
    from paperfeed.accounts.models import UsernameSkeleton

    model = get_user_model()
    field = model.USERNAME_FIELD
    users = model._default_manager.all()
    if exclude_pk is not None:
        users = users.exclude(pk=exclude_pk)
    same = users.filter(**{f"{field}__iexact": normalize(name)}).first()
    if same is not None:
        return same
    skeletons = UsernameSkeleton.objects.filter(hash__in=skeleton_hashes(name))
    return users.filter(pk__in=skeletons.values("user_id")).order_by("pk").first()


def clash_message(name: str, existing) -> str:
    return (
        f'"{normalize(name)}" looks like an existing username ("{existing.get_username()}"); '
        "please choose another."
    )


def find_active(name: str):
    """The active account a URL's ``name`` names (NFKC-normalised, as stored), or None. A name
    no username could be (a NUL byte, a slash…) finds nobody without asking the database."""
    model = get_user_model()
    name = normalize(name)
    field = model._meta.get_field(model.USERNAME_FIELD)
    if not name or len(name) > field.max_length or "\x00" in name:
        return None
    return model._default_manager.filter(**{model.USERNAME_FIELD: name}, is_active=True).first()


def find_by_login(name: str):
    """The account a login form's username names, as allauth finds it (case-insensitive, the
    exact case first) after NFKC, or None."""
    model = get_user_model()
    name = normalize(name)
    if not name or "\x00" in name:
        return None
    users = list(model._default_manager.filter(**{f"{model.USERNAME_FIELD}__iexact": name}))
    return next((u for u in users if u.get_username() == name), users[0] if users else None)


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="paperfeed.accounts.nfkc")
def _store_normalized(sender, instance, **kwargs) -> None:
    """Every way of saving an account (sign-up, the admin, createsuperuser, the shell) stores
    its username NFKC-normalised."""
    field = sender.USERNAME_FIELD
    name = getattr(instance, field, None)
    if isinstance(name, str):
        setattr(instance, field, normalize(name))


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="paperfeed.accounts.skeleton")
def _store_skeletons(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    if raw or (update_fields is not None and sender.USERNAME_FIELD not in update_fields):
        return
    from paperfeed.accounts.models import UsernameSkeleton

    hashes = skeleton_hashes(instance.get_username())
    stored = set(
        UsernameSkeleton.objects.filter(user_id=instance.pk).values_list("hash", flat=True)
    )
    if stored != hashes:
        UsernameSkeleton.objects.filter(user_id=instance.pk).exclude(hash__in=hashes).delete()
        UsernameSkeleton.objects.bulk_create(
            UsernameSkeleton(user_id=instance.pk, hash=h) for h in hashes - stored
        )

"""Collaborators of a collection: the owner invites a user by username, who accepts or declines
on their collections page; an accepted collaborator edits the papers and notes
(:mod:`paperfeed.library.collections` checks the rights) and may leave. The one writer of
``CollectionMember``."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from paperfeed.accounts import usernames
from paperfeed.library.collections import CollectionError, NotFound, check_user, owned, signed_in
from paperfeed.library.models import Collection, CollectionMember

MAX_MEMBERS = 50  # collaborators per collection, invitations included


def invitations_of(user) -> list[CollectionMember]:
    """The invitations ``user`` has not answered yet, oldest first."""
    if not signed_in(user):
        return []
    pending = CollectionMember.objects.filter(user=user, accepted__isnull=True)
    return list(pending.select_related("collection__owner", "invited_by"))


def members_of(collection: Collection) -> list[CollectionMember]:
    return list(collection.members.select_related("user", "invited_by"))


def invite(user, collection_id: int, username: str) -> CollectionMember:
    """Invite the user called ``username`` to edit ``user``'s collection."""
    collection = owned(user, collection_id)
    invitee = usernames.find_active(str(username or "").strip())
    if invitee is None:
        raise NotFound(f"no user called {str(username)[:40]!r}")
    if invitee.pk == user.pk:
        raise CollectionError("you own this collection already")
    with transaction.atomic():
        Collection.objects.select_for_update().filter(pk=collection.pk).first()
        if collection.members.filter(user=invitee).exists():
            raise CollectionError(f"{invitee.get_username()} is already invited")
        if collection.members.count() >= MAX_MEMBERS:
            raise CollectionError(f"a collection has at most {MAX_MEMBERS} collaborators")
        return CollectionMember.objects.create(collection=collection, user=invitee, invited_by=user)


def _invitation(user, collection_id: int) -> CollectionMember:
    check_user(user)
    member = CollectionMember.objects.filter(collection_id=collection_id, user=user).first()
    if member is None:
        raise NotFound(f"no invitation to collection {collection_id}")
    return member


def accept(user, collection_id: int) -> CollectionMember:
    """Accept an invitation (accepting twice is one acceptance)."""
    member = _invitation(user, collection_id)
    if member.accepted is None:
        member.accepted = timezone.now()
        member.save(update_fields=["accepted"])
    return member


def decline(user, collection_id: int) -> None:
    """Decline an invitation, or leave a collection one collaborates on."""
    _invitation(user, collection_id).delete()


def remove_member(user, collection_id: int, username: str) -> bool:
    """The owner takes a collaborator (or an invitation) off their collection."""
    collection = owned(user, collection_id)
    name = usernames.normalize(str(username or "").strip())
    deleted, _ = collection.members.filter(user__username=name).delete()
    return bool(deleted)

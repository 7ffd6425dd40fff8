"""Deleting an account: everything of it goes, in one transaction, except what the owner chose
to leave behind anonymously.

What :func:`delete_account` does with each kind of data (docs/account.md says the same to users):

- **votes**: deleted, and each paper's ``upvotes`` goes down by exactly one per deleted row (the
  rule of :mod:`paperfeed.community.votes`); the account row is locked first, so a vote the
  account casts meanwhile waits and then fails (its user is gone) instead of being lost uncounted;
- **comments**: ``keep_comments=True`` keeps every comment, its author shown as "deleted user"
  (``Comment.user`` becomes empty). ``keep_comments=False`` removes them the way
  :func:`paperfeed.community.comments.delete_comment` removes one: the account's replies go, a
  top-level comment with replies by others keeps its place with its text replaced by
  ``DELETED_BODY`` (and no author), the others go;
- **submissions**: the papers stay in the feed, "submitted by" shows "deleted user"; failed
  submissions (nothing entered the feed) are deleted;
- **digest subscriptions**: the ones linked to the account, and the one of each address the
  account *verified*, are deleted with their saved searches, send ledger and feedback (an
  unverified address may be someone else's: its subscription is left to that address's owner);
- **organisations**: one the account is the only owner of is refused while it has other members
  (make one of them owner first: the error names it); one the account is alone in is deleted;
  memberships of the others go;
- **everything else** goes with the user row (``on_delete=CASCADE``): collections the account
  owns with their items, notes and invitations (collaborators lose them), its memberships of
  other collections, follows and their alert marks, mutes, seen papers, preferences, API tokens,
  alert ledger, feedback, email addresses, social logins, username skeletons, the sign-up site.
  Papers the account added to someone else's collection stay there (``added_by`` empties), as
  do invitations it sent for them (``invited_by`` empties): they are the owner's list.

Sessions of the account on other browsers stop working (their user is gone); their rows expire
as sessions do. Checking the password is :func:`check_password`'s job, before the call.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from paperfeed.accounts import yourdata
from paperfeed.community.comments import DELETED_BODY, render_markdown
from paperfeed.community.models import Comment, Submission
from paperfeed.community.votes import remove_account_votes
from paperfeed.digests.models import Subscriber
from paperfeed.orgs import core as orgs


class DeletionError(Exception):
    """The account cannot be deleted as asked; the message says why (shown to the user)."""


@dataclass(frozen=True)
class Deleted:
    """What went: counts by kind (for the confirmation message and the API's answer)."""

    votes: int
    comments_kept: int
    comments_removed: int
    submissions_kept: int
    digest_subscriptions: int


def check_password(user, password: str) -> None:
    """Re-authentication before deletion: raise :class:`DeletionError` unless ``password`` is the
    account's. An account without a usable password (made through a social login) sets one
    first, on the password page."""
    if not user.has_usable_password():
        raise DeletionError("set a password for your account first, then delete it")
    if not isinstance(password, str) or not password or not user.check_password(password):
        raise DeletionError("password: that is not your password")


def _comments(user_id: int, keep: bool) -> tuple[int, int]:
    """(kept anonymously, removed) comments of the account."""
    mine = Comment.objects.filter(user_id=user_id)
    if keep:
        return mine.update(user=None), 0
    replies_deleted, _ = mine.filter(parent__isnull=False).delete()
    answered = Comment.objects.filter(parent__isnull=False).values("parent_id")
    tombstones = mine.filter(parent__isnull=True, pk__in=answered).update(
        user=None,
        body=DELETED_BODY,
        body_html=render_markdown(DELETED_BODY),
        edited=timezone.now(),
    )
    rest, _ = Comment.objects.filter(user_id=user_id).delete()
    return 0, replies_deleted + tombstones + rest


def _subscriptions(user) -> int:
    _, deleted = yourdata.subscribers_of(user).delete()
    return deleted.get(Subscriber._meta.label, 0)


def delete_account(user, *, keep_comments: bool) -> Deleted:
    """Delete ``user`` and everything of theirs (module docstring), in one transaction."""
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if locked is None:
            raise DeletionError("this account does not exist (any more)")
        try:
            orgs.before_account_deletion(locked)
        except orgs.OrgError as exc:
            raise DeletionError(str(exc)) from None
        votes = remove_account_votes(user.pk)
        kept, removed = _comments(user.pk, keep_comments)
        Submission.objects.filter(user_id=user.pk, state=Submission.FAILED).delete()
        submissions = Submission.objects.filter(user_id=user.pk).update(user=None)
        subscriptions = _subscriptions(locked)
        locked.delete()
    return Deleted(votes, kept, removed, submissions, subscriptions)

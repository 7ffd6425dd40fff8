"""Deleting an account: nothing of it is left in any table, vote counts stay exact, comments
kept anonymously or removed as the owner chose (both backends)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from paperfeed.accounts import deletion
from paperfeed.community.comments import DELETED_BODY
from paperfeed.community.models import DELETED_USER, Comment, Submission, Vote
from paperfeed.digests.models import Subscriber
from paperfeed.library.models import Collection, CollectionItem, CollectionMember
from paperfeed.papers.models import Paper
from tests.accounts.account_data import fill
from tests.community.factories import PASSWORD

pytestmark = pytest.mark.django_db


def rows_pointing_at(user_id: int) -> dict[str, int]:
    """Rows of every model whose foreign key to the user model holds ``user_id``."""
    user_model = get_user_model()
    found = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey | models.OneToOneField)
                and field.related_model is user_model
                and field.concrete
            ):
                n = model.objects.filter(**{field.attname: user_id}).count()
                if n:
                    found[f"{model._meta.label}.{field.name}"] = n
    if user_model.objects.filter(pk=user_id).exists():
        found["user"] = 1
    return found


def test_every_kind_of_data_goes_and_counts_stay_exact(alice, bob):
    world = fill(alice, bob)
    assert rows_pointing_at(alice.pk)  # the check sees her data before
    done = deletion.delete_account(alice, keep_comments=False)
    assert rows_pointing_at(alice.pk) == {}
    assert done.votes == 2
    assert Paper.objects.get(pk=world.p1.pk).upvotes == 1  # bob's vote only
    assert Paper.objects.get(pk=world.p2.pk).upvotes == 0
    assert Vote.objects.filter(paper=world.p1).count() == 1
    # her collection went (bob loses it); bob's stays, with the paper she added, anonymous
    assert not Collection.objects.filter(slug="reading").exists()
    assert CollectionItem.objects.get(pk=world.alice_in_bobs.pk).added_by is None
    assert not CollectionMember.objects.filter(
        collection=world.bobs_collection, user__username="alice"
    ).exists()
    # the paper she submitted stays, "submitted by" a deleted user; her failed one is gone
    kept = Submission.objects.get(arxiv_id=world.p1.pk)
    assert kept.user is None and kept.submitter_name == DELETED_USER
    assert not Submission.objects.filter(arxiv_id="2501.99999").exists()
    # digests: her linked subscription and her verified address's went, not the others
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        s.email for s in world.kept_subscribers
    }


def test_removing_comments_keeps_answered_threads_in_place(alice, bob):
    world = fill(alice, bob)
    done = deletion.delete_account(alice, keep_comments=False)
    tomb = Comment.objects.get(pk=world.alice_top_answered.pk)
    assert tomb.user is None and tomb.body == DELETED_BODY and "deleted" in tomb.body_html
    assert tomb.author_name == DELETED_USER
    assert Comment.objects.filter(pk=world.bob_reply.pk).exists()  # bob's reply stays
    assert not Comment.objects.filter(pk=world.alice_top_alone.pk).exists()
    assert not Comment.objects.filter(pk=world.alice_reply.pk).exists()
    assert Comment.objects.filter(pk=world.bob_top.pk).exists()
    assert (done.comments_kept, done.comments_removed) == (0, 3)
    assert not Comment.objects.filter(body__in=["Nice **result**", "Alone", "Alice answers"])


def test_keeping_comments_shows_them_as_deleted_user(alice, bob):
    world = fill(alice, bob)
    done = deletion.delete_account(alice, keep_comments=True)
    assert rows_pointing_at(alice.pk) == {}
    assert done.comments_kept == 3
    for comment in (world.alice_top_answered, world.alice_top_alone, world.alice_reply):
        row = Comment.objects.get(pk=comment.pk)
        assert row.user is None and row.author_name == DELETED_USER
        assert row.body == comment.body  # the text stays as written


def test_wrong_or_missing_password_is_refused(alice):
    for wrong in ("", "not it", None):
        with pytest.raises(deletion.DeletionError, match="password"):
            deletion.check_password(alice, wrong)
    deletion.check_password(alice, PASSWORD)
    alice.set_unusable_password()
    with pytest.raises(deletion.DeletionError, match="set a password"):
        deletion.check_password(alice, PASSWORD)


def test_an_account_already_gone_is_refused(alice):
    get_user_model().objects.filter(pk=alice.pk).delete()
    with pytest.raises(deletion.DeletionError, match="does not exist"):
        deletion.delete_account(alice, keep_comments=True)


def test_an_organisation_is_never_left_without_an_owner(alice, bob):
    from paperfeed.orgs import core as orgs
    from paperfeed.orgs.models import Organisation

    shared = orgs.create(alice, "kv-lab", "KV Lab")
    orgs.add_member(alice, shared, "bob")
    alone = orgs.create(alice, "alice-solo", "Alice alone")
    with pytest.raises(deletion.DeletionError, match=r"only owner of the organisation 'KV Lab'"):
        deletion.delete_account(alice, keep_comments=True)
    assert get_user_model().objects.filter(pk=alice.pk).exists()  # nothing happened
    assert Organisation.objects.filter(pk=alone.pk).exists()

    orgs.add_member(alice, shared, "bob", role="owner")
    deletion.delete_account(alice, keep_comments=True)
    assert not Organisation.objects.filter(pk=alone.pk).exists()  # alone in it: deleted
    assert [m.user for m in orgs.members(Organisation.objects.get(pk=shared.pk))] == [bob]

"""One of every kind of data an account can hold (for the export and deletion tests)."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress

from paperfeed.accounts.tokens import create_token
from paperfeed.community import comments, votes
from paperfeed.community.models import Comment, Submission
from paperfeed.digests.models import (
    AlertedPaper,
    AlertMark,
    AlertSend,
    Feedback,
    SavedSearch,
    SignupSite,
    Subscriber,
)
from paperfeed.library.models import Collection, CollectionItem, CollectionMember
from paperfeed.personal.models import Follow, Mute, Preferences, Seen
from tests.community.factories import make_paper, make_user


@dataclass
class World:
    p1: object
    p2: object
    p3: object
    alice_top_answered: Comment  # alice's, bob replied
    alice_top_alone: Comment
    alice_reply: Comment  # alice's reply to bob
    bob_top: Comment
    bob_reply: Comment  # bob's reply to alice
    bobs_collection: Collection
    alice_in_bobs: CollectionItem  # a paper alice added to bob's collection
    kept_subscribers: list[Subscriber]


def fill(alice, bob, n: int = 1) -> World:
    """Give ``alice`` data of every kind (``n`` of each list-like kind), ``bob`` some around it."""
    p1, p2, p3 = make_paper(), make_paper(), make_paper()
    extra = [make_paper() for _ in range(n - 1)]
    for paper in (p1, p2, *extra):
        votes.set_vote(alice, paper.pk, True)
    votes.set_vote(bob, p1.pk, True)
    answered = comments.add_comment(alice, p1.pk, "Nice **result**")
    bob_reply = comments.add_comment(bob, p1.pk, "Agreed", parent_id=answered.pk)
    alone = comments.add_comment(alice, p2.pk, "Alone")
    for paper in extra:
        comments.add_comment(alice, paper.pk, "More")
    bob_top = comments.add_comment(bob, p3.pk, "Bob's thought")
    alice_reply = comments.add_comment(alice, p3.pk, "Alice answers", parent_id=bob_top.pk)
    Submission.objects.create(paper=p1, user=alice)
    Submission.objects.create(arxiv_id="2501.99999", user=alice, state="failed", error="no")

    reading = Collection.objects.create(owner=alice, name="Reading", slug="reading")
    CollectionItem.objects.create(collection=reading, paper=p1, position=0, note="read *this*")
    CollectionItem.objects.create(collection=reading, paper=p2, position=1)
    for i, paper in enumerate(extra, start=2):
        CollectionItem.objects.create(collection=reading, paper=paper, position=i)
    CollectionMember.objects.create(collection=reading, user=bob, invited_by=alice)
    bobs = Collection.objects.create(owner=bob, name="Bob's", slug="bobs")
    CollectionMember.objects.create(
        collection=bobs, user=alice, invited_by=bob, accepted=alice.date_joined
    )
    alice_in_bobs = CollectionItem.objects.create(collection=bobs, paper=p3, added_by=alice)
    CollectionMember.objects.create(collection=bobs, user=make_user(), invited_by=alice)

    follow = Follow.objects.create(user=alice, kind=Follow.AUTHOR, value="Ada Lovelace")
    AlertMark.objects.create(follow=follow, until=alice.date_joined)
    Mute.objects.create(user=alice, kind=Mute.KEYWORD, value="blockchain")
    Seen.objects.create(user=alice, paper=p3, how="dismissed")
    Preferences.objects.create(user=alice, order="community", feed_token="s3cret-feed-token")
    create_token(alice, "my script")
    Feedback.objects.create(user=alice, paper=p2, signal=1)
    send = AlertSend.objects.create(user=alice, period_key="daily:2026-12-06")
    AlertedPaper.objects.create(user=alice, paper=p1, alert=send, position=0, section="x")
    SignupSite.objects.create(user=alice, site_url="https://papers.example.org")

    linked = Subscriber.objects.create(email=f"{alice.username}-work@example.org", user=alice)
    SavedSearch.objects.create(subscriber=linked, query="kv cache")
    Subscriber.objects.create(email=alice.email)  # her verified address, no account link
    maybe = f"{alice.username}-maybe@example.org"
    EmailAddress.objects.create(user=alice, email=maybe, verified=False)
    kept = [
        Subscriber.objects.create(email=maybe),  # not verified by her
        Subscriber.objects.create(email=f"{alice.username}-stranger@example.org"),
    ]
    return World(
        p1, p2, p3, answered, alone, alice_reply, bob_top, bob_reply, bobs, alice_in_bobs, kept
    )

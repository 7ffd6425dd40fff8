"""Everything paperfeed holds about one account, as one JSON document ("Your data").

The shape (``{"format": "paperfeed-account-export", "version": 1, ...}``; docs/account.md
describes every key) is versioned: a key is only ever added within a version; renaming or
removing one makes a new version. Times are ISO 8601 in UTC; lists are oldest first.

Never in it: secrets (password hash, API token secrets, the private feeds' token, sessions) and
other people's data beyond the usernames of the account's collaborators. The queries are a fixed
number whatever the account holds (the library's BibTeX: a fixed number per 500 papers).
"""

from __future__ import annotations

import json

from allauth.account.models import EmailAddress
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone

from paperfeed.accounts.models import ApiToken
from paperfeed.community.models import Comment, Submission, Vote
from paperfeed.digests.models import Feedback, SavedSearch, Subscriber, normalise_email
from paperfeed.library import exports
from paperfeed.library.models import Collection, CollectionItem, CollectionMember
from paperfeed.personal.models import Follow, Mute, Preferences, Seen

FORMAT = "paperfeed-account-export"
VERSION = 1


def subscribers_of(user):
    """The digest subscriptions of the account: linked to it, or of an address it verified."""
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    addresses = {normalise_email(address) for address in verified}
    return Subscriber.objects.filter(Q(user=user) | Q(email__in=addresses))


def _rows(queryset, *fields: str, **renamed: str) -> list[dict]:
    """``values()`` rows with ``renamed`` (output key -> lookup) keys."""
    names = list(fields) + list(renamed.values())
    out = []
    for row in queryset.values(*names):
        for key, lookup in renamed.items():
            row[key] = row.pop(lookup)
        out.append(row)
    return out


def _profile(user) -> dict:
    emails = EmailAddress.objects.filter(user=user).order_by("pk")
    return {
        "username": user.get_username(),
        "email": user.email,
        "emails": _rows(emails, "email", "verified", "primary"),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def _collections(user) -> list[dict]:
    owned = list(Collection.objects.filter(owner=user).order_by("created", "pk"))
    fields = ("name", "slug", "description", "visibility", "is_default", "created", "updated")
    out = {c.pk: {"id": c.pk, **{f: getattr(c, f) for f in fields}} for c in owned}
    for entry in out.values():
        entry["items"], entry["collaborators"] = [], []
    items = CollectionItem.objects.filter(collection__owner=user).order_by(
        "collection_id", "position", "pk"
    )
    for row in _rows(items, "collection_id", "paper_id", "position", "note", "added"):
        out[row.pop("collection_id")]["items"].append(row)
    members = CollectionMember.objects.filter(collection__owner=user).order_by("invited", "pk")
    for row in _rows(
        members, "collection_id", "role", "invited", "accepted", username="user__username"
    ):
        out[row.pop("collection_id")]["collaborators"].append(row)
    return list(out.values())


def _memberships(user) -> list[dict]:
    rows = CollectionMember.objects.filter(user=user).order_by("invited", "pk")
    return _rows(
        rows,
        "role",
        "invited",
        "accepted",
        collection_id="collection_id",
        collection="collection__name",
        owner="collection__owner__username",
    )


def _preferences(user) -> dict | None:
    row = Preferences.objects.filter(user=user).values("order", "seen", "onboarded_at").first()
    return row  # never feed_token: it is the private feeds' secret


def _subscriptions(user) -> list[dict]:
    subscribers = list(subscribers_of(user).order_by("created", "pk"))
    searches: dict[int, list[dict]] = {s.pk: [] for s in subscribers}
    saved = SavedSearch.objects.filter(subscriber__in=subscribers).order_by("created", "pk")
    for row in _rows(saved, "subscriber_id", "query", "created"):
        searches[row.pop("subscriber_id")].append(row)
    fields = (
        "email",
        "status",
        "frequency",
        "send_hour",
        "timezone",
        "top_n",
        "categories",
        "recommendations",
        "created",
        "confirmed_at",
    )
    return [
        {**{f: getattr(s, f) for f in fields}, "saved_searches": searches[s.pk]}
        for s in subscribers
    ]


def library_paper_ids(user) -> tuple[list[str], dict[str, str]]:
    """The papers of the collections the account owns, in their collections' order (a paper in
    several once, where it comes first), and each paper's first non-empty note."""
    items = CollectionItem.objects.filter(collection__owner=user).order_by(
        "collection__created", "collection_id", "position", "pk"
    )
    ids: list[str] = []
    notes: dict[str, str] = {}
    for paper_id, note in items.values_list("paper_id", "note"):
        if paper_id not in notes:
            ids.append(paper_id)
        if note and not notes.get(paper_id):
            notes[paper_id] = note
        notes.setdefault(paper_id, "")
    return ids, notes


def library_bibtex(user) -> str:
    """The account's library (:func:`library_paper_ids`) as BibTeX, notes as ``note`` fields."""
    ids, notes = library_paper_ids(user)
    return exports.export(exports.load_entries(ids, notes), "bibtex")


def build(user) -> dict:
    """The account's data as one JSON-ready dict (the version-1 shape)."""
    by_time = ("created", "pk")
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now(),
        "profile": _profile(user),
        "preferences": _preferences(user),
        "votes": _rows(Vote.objects.filter(user=user).order_by(*by_time), "paper_id", "created"),
        "comments": _rows(
            Comment.objects.filter(user=user).order_by(*by_time),
            "id",
            "paper_id",
            "parent_id",
            "body",
            "created",
            "edited",
            "hidden",
        ),
        "submissions": _rows(
            Submission.objects.filter(user=user).order_by(*by_time),
            "arxiv_id",
            "state",
            "error",
            "created",
        ),
        "collections": _collections(user),
        "collection_memberships": _memberships(user),
        "follows": _rows(
            Follow.objects.filter(user=user).order_by(*by_time),
            "kind",
            "value",
            "label",
            "alert",
            "created",
        ),
        "mutes": _rows(
            Mute.objects.filter(user=user).order_by(*by_time), "kind", "value", "created"
        ),
        "seen": _rows(Seen.objects.filter(user=user).order_by("at", "pk"), "paper_id", "how", "at"),
        "feedback": _rows(
            Feedback.objects.filter(user=user).order_by(*by_time), "paper_id", "signal", "created"
        ),
        "digest_subscriptions": _subscriptions(user),
        "api_tokens": _rows(
            ApiToken.objects.filter(user=user).order_by(*by_time),
            "name",
            "created",
            "last_used",
            "revoked",
        ),
        "library_bibtex": library_bibtex(user),
    }


def as_json(user) -> str:
    """:func:`build` written as JSON (UTF-8 text, indented for reading)."""
    return json.dumps(build(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)


def filename(user, extension: str) -> str:
    """``paperfeed-<username>-<YYYY-MM-DD>.<extension>``, safe in a Content-Disposition."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in user.get_username())
    return f"paperfeed-{safe}-{timezone.now():%Y-%m-%d}.{extension}"

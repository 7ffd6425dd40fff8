"""A reader's collections of papers: ``Collection``, its ordered ``CollectionItem`` rows (each
with a note) and the ``CollectionMember`` rows of invited collaborators. Written only by
:mod:`paperfeed.library.collections`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Collection(models.Model):
    """A user's named, ordered list of papers.

    ``visibility``: private (the owner and the collaborators who accepted), unlisted (anyone with
    the link; listed nowhere) or public (listed on the owner's page and /collections/public).
    ``is_default`` marks the owner's "Read later", made on their first one-click Save.
    """

    PRIVATE = "private"
    UNLISTED = "unlisted"
    PUBLIC = "public"
    VISIBILITIES = [
        (PRIVATE, "Private: you and your collaborators"),
        (UNLISTED, "Unlisted: anyone with the link"),
        (PUBLIC, "Public: listed on your profile"),
    ]

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collections"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220)
    description = models.TextField(blank=True, default="")
    visibility = models.CharField(max_length=8, choices=VISIBILITIES, default=PRIVATE)
    is_default = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_default", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "slug"], name="collection_slug_per_owner"),
            models.UniqueConstraint(
                fields=["owner"], condition=Q(is_default=True), name="one_read_later_per_owner"
            ),
        ]
        indexes = [models.Index(fields=["visibility", "-updated"], name="collection_listed")]

    def __str__(self) -> str:
        return self.name


class CollectionItem(models.Model):
    """One paper in a collection, at ``position`` (ascending), with an optional Markdown note
    (``note``) and its sanitised HTML (``note_html``, math rendered)."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True, default="")
    note_html = models.TextField(blank=True, default="")
    added = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "paper"], name="paper_once_per_collection"
            ),
        ]
        indexes = [models.Index(fields=["collection", "position"], name="collection_item_order")]

    def __str__(self) -> str:
        return f"{self.paper_id} in {self.collection_id}"


class CollectionMember(models.Model):
    """A collaborator of a collection (role ``editor``: add, remove, reorder, annotate), invited
    by its owner; ``accepted`` stays null until the invited user accepts."""

    EDITOR = "editor"
    ROLES = [(EDITOR, "Editor")]

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collection_memberships"
    )
    role = models.CharField(max_length=10, choices=ROLES, default=EDITOR)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited = models.DateTimeField(auto_now_add=True)
    accepted = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invited", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "user"], name="member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.collection_id}"

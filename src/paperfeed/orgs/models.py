"""Local organisations: ``Organisation``, its ``Membership`` rows (owner, admin, member) and the
papers its members attached (``OrgPaper``). Written only by :mod:`paperfeed.orgs.core` (and the
moderators' claim decisions in :mod:`paperfeed.orgs.admin`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Organisation(models.Model):
    """A lab, company or group with a page at ``/orgs/<slug>``.

    ``hf_name`` is the Hugging Face organisation it claims (``PaperSignals.org_name``); the claim
    counts -- that organisation's papers shown as this one's, its badge and page mapped here --
    only once a moderator approved it (``hf_status``).
    """

    NONE = ""
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CLAIM_STATES = [
        (NONE, "No claim"),
        (PENDING, "Pending a moderator"),
        (APPROVED, "Approved"),
        (REJECTED, "Rejected"),
    ]

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    avatar = models.URLField(max_length=500, blank=True, default="")
    description = models.TextField(blank=True, default="")
    hf_name = models.CharField(max_length=200, null=True, blank=True, unique=True, default=None)
    hf_status = models.CharField(max_length=8, choices=CLAIM_STATES, blank=True, default=NONE)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["hf_status"], name="org_claim_state")]

    def __str__(self) -> str:
        return self.name

    @property
    def claimed_hf(self) -> str:
        """The Hugging Face name whose papers are this organisation's ("" unless approved)."""
        return (self.hf_name or "") if self.hf_status == self.APPROVED else ""


class Membership(models.Model):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    ROLES = [(OWNER, "Owner"), (ADMIN, "Admin"), (MEMBER, "Member")]

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_memberships"
    )
    role = models.CharField(max_length=6, choices=ROLES, default=MEMBER)
    added = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["org", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["org", "user"], name="one_membership_per_user"),
            models.CheckConstraint(
                condition=Q(role__in=["owner", "admin", "member"]), name="membership_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} of {self.org_id}"


class OrgPaper(models.Model):
    """A paper a member attached to their organisation."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="papers")
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="org_links")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["org", "paper"], name="paper_once_per_org"),
        ]
        indexes = [models.Index(fields=["paper", "added"], name="org_paper_by_paper")]

    def __str__(self) -> str:
        return f"{self.paper_id} of {self.org_id}"

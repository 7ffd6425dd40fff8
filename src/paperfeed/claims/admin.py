"""The moderators' claims: the pending ones with their evidence, disputes next to the approved
claim they contest, and the actions approve and reject (with the reason the user reads)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from paperfeed.claims import claims
from paperfeed.claims.models import Claim

EVIDENCE_LABELS = (
    ("verified_email_domain", "email"),
    ("orcid_given", "ORCID"),
    ("papers_under_name", "papers"),
    ("coauthors_in_common", "shared co-authors"),
    ("name_match", "name"),
)


def _evidence(claim: Claim) -> str:
    e = claim.evidence or {}
    return format_html_join(
        " · ",
        "{}: {}",
        (
            (label, e.get(key, "") if e.get(key, "") != "" else "–")
            for key, label in EVIDENCE_LABELS
        ),
    )


def _act(modeladmin, request, queryset, do, done: str) -> None:
    moved, refused = 0, []
    for claim in queryset:
        try:
            do(claim.pk)
            moved += 1
        except claims.ClaimError as exc:
            refused.append(str(exc))
    if moved:
        modeladmin.message_user(request, f"{moved} claim(s) {done}.", messages.SUCCESS)
    for text in refused:
        modeladmin.message_user(request, text, messages.WARNING)


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("author", "user", "state", "disputed", "evidence_summary", "orcid", "created")
    list_filter = ("state", "disputed")
    search_fields = ("author__name", "user__username", "orcid")
    list_select_related = ("author", "user")
    actions = ("approve", "reject")
    readonly_fields = (
        "user",
        "author",
        "state",
        "orcid",
        "note",
        "evidence_summary",
        "disputed",
        "others",
        "reason",
        "decided_by",
        "auto_rule",
        "created",
        "decided",
    )
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False  # a claim is the user's own statement

    @admin.display(description="evidence")
    def evidence_summary(self, claim: Claim) -> str:
        return _evidence(claim)

    @admin.display(description="other open claims on this author (a dispute)")
    def others(self, claim: Claim) -> str:
        rows = claims.rivals(claim)
        if not rows:
            return "none"
        return format_html(
            "<table><tr><th>user</th><th>state</th><th>ORCID</th><th>evidence</th><th>note</th></tr>{}</table>",
            format_html_join(
                "",
                '<tr><td><a href="../../{}/change/">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
                (
                    (c.pk, c.user.get_username(), c.state, c.orcid or "–", _evidence(c), c.note)
                    for c in rows
                ),
            ),
        )

    @admin.action(description="Approve the selected pending claims")
    def approve(self, request, queryset):
        _act(self, request, queryset, lambda pk: claims.approve(pk, request.user), "approved")

    @admin.action(description="Reject the selected claims (asks why)")
    def reject(self, request, queryset):
        reason, error = request.POST.get("reason", ""), ""
        if "apply" in request.POST:
            try:
                claims.reject_check(reason)
            except claims.ClaimError as exc:
                error = str(exc)
            else:
                _act(
                    self,
                    request,
                    queryset,
                    lambda pk: claims.reject(pk, request.user, reason),
                    "rejected",
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject claims",
            "claims": queryset.select_related("author", "user"),
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "reason": reason,
            "error": error,
        }
        return TemplateResponse(request, "admin/claims/reject.html", context)

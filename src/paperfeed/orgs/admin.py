"""The moderators' view of organisations: read them, decide Hugging Face claims (approve or
reject, through :func:`paperfeed.orgs.core.decide_claim`), delete one."""

from django.contrib import admin, messages

from paperfeed.orgs import core
from paperfeed.orgs.models import Membership, Organisation, OrgPaper


class MemberInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "added")
    readonly_fields = fields  # written by orgs/core.py only
    extra = 0


class PaperInline(admin.TabularInline):
    model = OrgPaper
    fields = ("paper", "added_by", "added")
    readonly_fields = fields
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "hf_name", "hf_status", "created")
    list_filter = ("hf_status",)
    search_fields = ("name", "slug", "hf_name")
    readonly_fields = (
        "slug", "name", "avatar", "description", "hf_name", "hf_status", "created", "created_by"
    )  # fmt: skip
    inlines = (MemberInline, PaperInline)
    actions = ("approve_claims", "reject_claims")

    def has_add_permission(self, request):
        return False  # created by a signed-in user on /orgs/new, who becomes its owner

    def _decide(self, request, queryset, approve: bool):
        done = 0
        for org in queryset:
            try:
                core.decide_claim(org, approve)
                done += 1
            except core.OrgError as exc:
                self.message_user(request, str(exc), messages.WARNING)
        word = "Approved" if approve else "Rejected"
        self.message_user(request, f"{word} {done} claim{'s' if done != 1 else ''}.")

    @admin.action(description="Approve the Hugging Face claim of the selected organisations")
    def approve_claims(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description="Reject the Hugging Face claim of the selected organisations")
    def reject_claims(self, request, queryset):
        self._decide(request, queryset, False)

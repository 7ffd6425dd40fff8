"""Staff views of subscribers (with their saved searches; paused addresses resumed through
:mod:`paperfeed.digests.subscriptions`), the send ledgers of digests and alerts, and feedback."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from paperfeed.digests import subscriptions
from paperfeed.digests.models import (
    AlertedPaper,
    AlertSend,
    DigestSend,
    Feedback,
    SavedSearch,
    Subscriber,
)


class HardFailingFilter(admin.SimpleListFilter):
    title = "delivery"
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [("failing", "hard-failing (any permanent failure)"), ("ok", "no failures")]

    def queryset(self, request, queryset):
        if self.value() == "failing":
            return queryset.filter(hard_failures__gt=0)
        if self.value() == "ok":
            return queryset.filter(hard_failures=0)
        return queryset


class SavedSearchInline(admin.TabularInline):
    model = SavedSearch
    extra = 0


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "status",
        "frequency",
        "send_hour",
        "timezone",
        "hard_failures",
        "user",
        "created",
        "preview_link",
    ]
    list_filter = ["status", "frequency", HardFailingFilter]
    search_fields = ["email", "user__username"]
    readonly_fields = ["created", "confirmed_at", "hard_failures", "last_error"]
    raw_id_fields = ["user"]
    inlines = [SavedSearchInline]
    actions = ["reactivate"]

    @admin.display(description="next digest")
    def preview_link(self, obj: Subscriber) -> str:
        return format_html('<a href="{}">preview</a>', reverse("digests:preview", args=[obj.pk]))

    @admin.action(description="Reactivate paused addresses (reset hard failures)")
    def reactivate(self, request, queryset):
        done = subscriptions.resume_paused(queryset)
        self.message_user(request, f"{done} address(es) reactivated.")


@admin.register(DigestSend)
class DigestSendAdmin(admin.ModelAdmin):
    list_display = ["subscriber", "period_key", "state", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["state"]
    search_fields = ["subscriber__email", "period_key"]
    raw_id_fields = ["subscriber"]
    readonly_fields = ["message_id", "claimed_by", "claimed_until", "last_error", "created"]


class AlertedPaperInline(admin.TabularInline):
    model = AlertedPaper
    fields = ["position", "paper", "section", "why"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(AlertSend)
class AlertSendAdmin(admin.ModelAdmin):
    """The alerts' ledger, each row with the papers it holds."""

    list_display = ["user", "period_key", "state", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["state"]
    search_fields = ["user__username", "user__email", "period_key"]
    raw_id_fields = ["user"]
    readonly_fields = ["message_id", "claimed_by", "claimed_until", "last_error", "created"]
    inlines = [AlertedPaperInline]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["paper", "signal", "subscriber", "user", "created"]
    raw_id_fields = ["paper", "subscriber", "user"]

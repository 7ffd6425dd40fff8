"""Staff moderation in the Django admin: hide/unhide comments and papers, deactivate users.

Votes are read-only here except for removal, which goes through :mod:`paperfeed.community.votes`
so ``Paper.upvotes`` stays exact. The Paper and User admins are the stock ones (papers app,
django.contrib.auth) with the moderation actions added.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils import timezone
from django.utils.text import Truncator

from paperfeed.community import comments, votes
from paperfeed.community.models import Comment, Submission, Vote
from paperfeed.papers.admin import PaperAdmin
from paperfeed.papers.models import Paper


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["paper", "user", "created"]
    search_fields = ["paper__arxiv_id", "user__username"]
    raw_id_fields = ["paper", "user"]
    list_select_related = ["paper", "user"]
    date_hierarchy = "created"

    def has_add_permission(self, request) -> bool:
        return False  # votes are cast by users, never by staff

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj: Vote) -> None:
        votes.remove_votes(Vote.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset) -> None:
        votes.remove_votes(queryset)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["paper", "user", "created"]
    search_fields = ["paper__arxiv_id", "paper__title", "user__username"]
    raw_id_fields = ["paper", "user"]
    list_select_related = ["paper", "user"]
    date_hierarchy = "created"


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "paper", "user", "excerpt", "created", "edited", "hidden"]
    list_filter = ["hidden", "created"]
    search_fields = ["body", "user__username", "paper__arxiv_id"]
    raw_id_fields = ["paper", "user", "parent"]
    readonly_fields = ["body_html", "created", "edited"]
    list_select_related = ["paper", "user"]
    actions = ["hide_comments", "unhide_comments"]

    @admin.display(description="comment")
    def excerpt(self, obj: Comment) -> str:
        return Truncator(obj.body).chars(80)

    def save_model(self, request, obj: Comment, form, change) -> None:
        obj.body_html = comments.render_markdown(obj.body)  # never trust HTML typed in a form
        super().save_model(request, obj, form, change)

    @admin.action(description="Hide selected comments")
    def hide_comments(self, request, queryset) -> None:
        n = queryset.update(hidden=True)
        self.message_user(request, f"Hid {n} comment(s).", messages.SUCCESS)

    @admin.action(description="Unhide selected comments")
    def unhide_comments(self, request, queryset) -> None:
        n = queryset.update(hidden=False)
        self.message_user(request, f"Unhid {n} comment(s).", messages.SUCCESS)


admin.site.unregister(Paper)


@admin.register(Paper)
class ModeratedPaperAdmin(PaperAdmin):
    list_display = [*PaperAdmin.list_display, "upvotes", "hidden"]
    list_filter = ["hidden", *PaperAdmin.list_filter]
    readonly_fields = ["upvotes"]  # kept by the voting code
    actions = ["hide_papers", "unhide_papers"]

    @admin.action(description="Hide selected papers from every page, feed and search")
    def hide_papers(self, request, queryset) -> None:
        n = queryset.update(hidden=True, updated_at=timezone.now())  # updated_at: search re-syncs
        self.message_user(request, f"Hid {n} paper(s).", messages.SUCCESS)

    @admin.action(description="Unhide selected papers")
    def unhide_papers(self, request, queryset) -> None:
        n = queryset.update(hidden=False, updated_at=timezone.now())
        self.message_user(request, f"Unhid {n} paper(s).", messages.SUCCESS)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ModeratedUserAdmin(UserAdmin):
    actions = ["deactivate_users", "reactivate_users"]

    @admin.action(description="Deactivate selected users (they can no longer log in or post)")
    def deactivate_users(self, request, queryset) -> None:
        n = queryset.exclude(pk=request.user.pk).update(is_active=False)
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(request, "You cannot deactivate yourself; skipped.", messages.WARNING)
        self.message_user(request, f"Deactivated {n} user(s).", messages.SUCCESS)

    @admin.action(description="Reactivate selected users")
    def reactivate_users(self, request, queryset) -> None:
        n = queryset.update(is_active=True)
        self.message_user(request, f"Reactivated {n} user(s).", messages.SUCCESS)

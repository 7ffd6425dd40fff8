"""Staff moderation of the community's own models in the Django admin: votes, submissions,
comments (hide/unhide; an edited comment is re-rendered and re-sanitised).

Votes are read-only here except for removal, which goes through :mod:`paperfeed.community.votes`
so ``Paper.upvotes`` stays exact. Hiding papers lives with the Paper admin (papers/admin.py),
deactivating users with the User admin (accounts/admin.py).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.text import Truncator

from paperfeed.community import comments, votes
from paperfeed.community.models import Comment, Submission, Vote
from paperfeed.ops import pagecache


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
    empty_value_display = "(deleted user)"  # user is empty once the account is deleted
    list_display = ["arxiv_id", "paper", "user", "state", "created"]
    list_filter = ["state"]
    search_fields = ["arxiv_id", "paper__title", "user__username"]
    raw_id_fields = ["paper", "user"]
    list_select_related = ["paper", "user"]
    date_hierarchy = "created"


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    empty_value_display = "(deleted user)"  # user is empty once the account is deleted
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
        pagecache.changed("comments hidden")
        self.message_user(request, f"Hid {n} comment(s).", messages.SUCCESS)

    @admin.action(description="Unhide selected comments")
    def unhide_comments(self, request, queryset) -> None:
        n = queryset.update(hidden=False)
        pagecache.changed("comments unhidden")
        self.message_user(request, f"Unhid {n} comment(s).", messages.SUCCESS)

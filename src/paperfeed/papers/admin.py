"""Papers and authors in the Django admin; staff hide a paper from every page, feed and search.

``upvotes`` is read-only: the voting code (:mod:`paperfeed.community.votes`) keeps it exact.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone

from paperfeed.ops import pagecache
from paperfeed.papers.models import Author, Authorship, Paper


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    raw_id_fields = ["author"]
    extra = 0


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = [
        "arxiv_id",
        "title",
        "primary_category",
        "published",
        "listed",
        "deleted",
        "upvotes",
        "hidden",
    ]
    list_filter = ["hidden", "deleted", "source"]
    search_fields = ["arxiv_id", "title"]
    readonly_fields = ["upvotes"]  # kept by the voting code
    inlines = [AuthorshipInline]
    actions = ["hide_papers", "unhide_papers"]

    @admin.action(description="Hide selected papers from every page, feed and search")
    def hide_papers(self, request, queryset) -> None:
        n = queryset.update(hidden=True, updated_at=timezone.now())  # updated_at: search re-syncs
        pagecache.changed("papers hidden")
        self.message_user(request, f"Hid {n} paper(s).", messages.SUCCESS)

    @admin.action(description="Unhide selected papers")
    def unhide_papers(self, request, queryset) -> None:
        n = queryset.update(hidden=False, updated_at=timezone.now())
        pagecache.changed("papers unhidden")
        self.message_user(request, f"Unhid {n} paper(s).", messages.SUCCESS)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    search_fields = ["name"]

from django.contrib import admin

from paperfeed.papers.models import Author, Authorship, Paper


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    raw_id_fields = ["author"]
    extra = 0


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ["arxiv_id", "title", "primary_category", "published", "listed", "deleted"]
    list_filter = ["deleted", "source"]
    search_fields = ["arxiv_id", "title"]
    inlines = [AuthorshipInline]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    search_fields = ["name"]

"""The moderators' view of collections (a public one's notes are anyone's to read)."""

from django.contrib import admin

from paperfeed.library.models import Collection, CollectionItem, CollectionMember


class ItemInline(admin.TabularInline):
    model = CollectionItem
    fields = ("paper", "position", "note", "added", "added_by")
    readonly_fields = fields  # notes are written by library/collections.py only
    extra = 0


class MemberInline(admin.TabularInline):
    model = CollectionMember
    fields = ("user", "role", "invited_by", "invited", "accepted")
    readonly_fields = fields
    extra = 0


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "visibility", "is_default", "updated")
    list_filter = ("visibility", "is_default")
    search_fields = ("name", "owner__username")
    raw_id_fields = ("owner",)
    readonly_fields = ("owner", "name", "slug", "description", "is_default", "created", "updated")
    inlines = (ItemInline, MemberInline)  # a moderator may make a collection private or delete it

from django.contrib import admin

from paperfeed.personal.models import Follow, Mute, Preferences, Seen


@admin.register(Mute)
class MuteAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "value", "created")
    list_filter = ("kind",)
    search_fields = ("user__username", "value")
    raw_id_fields = ("user",)


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "label", "value", "alert", "created")
    list_filter = ("kind", "alert")
    search_fields = ("user__username", "value", "label")
    raw_id_fields = ("user",)


@admin.register(Seen)
class SeenAdmin(admin.ModelAdmin):
    list_display = ("user", "paper", "how", "at")
    list_filter = ("how",)
    search_fields = ("user__username", "paper__arxiv_id")
    raw_id_fields = ("user", "paper")


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    list_display = ("user", "order", "seen", "onboarded_at", "updated")
    list_filter = ("order", "seen")
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
    exclude = ("feed_token",)  # a secret: the user rotates it, nobody reads it here

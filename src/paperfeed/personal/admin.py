from django.contrib import admin

from paperfeed.personal.models import Mute


@admin.register(Mute)
class MuteAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "value", "created")
    list_filter = ("kind",)
    search_fields = ("user__username", "value")
    raw_id_fields = ("user",)

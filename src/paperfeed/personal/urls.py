from django.urls import path

from paperfeed.personal import settings_views, views

app_name = "personal"

urlpatterns = [
    path("", settings_views.settings_page, name="settings"),
    path("seen", settings_views.seen_mode, name="seen-mode"),
    path("seen/forget", settings_views.seen_forget, name="seen-forget"),
    path("seen/dismiss", settings_views.dismiss, name="dismiss"),
    path("mutes", views.mute_list, name="mutes"),
    path("mutes/<int:mute_id>/remove", views.mute_remove, name="mute-remove"),
]

from django.urls import path

from paperfeed.personal import views

app_name = "personal"

urlpatterns = [
    path("mutes", views.mute_list, name="mutes"),
    path("mutes/<int:mute_id>/remove", views.mute_remove, name="mute-remove"),
]

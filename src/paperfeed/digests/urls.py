from django.urls import path

from paperfeed.digests import alerts_views, site, views

app_name = "digests"

urlpatterns = [
    path("subscribe", views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>", views.confirm, name="confirm"),
    path("subscribe/manage/<str:token>", views.manage, name="manage"),
    path("unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("feedback/<str:token>", views.feedback, name="feedback"),
    path("papers/<path:arxiv_id>/feedback", site.paper_feedback, name="paper-feedback"),
    path("for-you", site.for_you, name="for-you"),
    path("digests/preview/<int:subscriber_id>", views.preview, name="preview"),
    path("alerts/off/<str:token>", alerts_views.alerts_off, name="alerts-off"),
]

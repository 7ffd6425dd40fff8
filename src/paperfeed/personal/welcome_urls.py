"""The onboarding pages, mounted at the site's root: /welcome, /welcome/topics, /welcome/papers,
/welcome/mark/<paper id> and /welcome/done (:mod:`paperfeed.personal.onboarding_views`)."""

from django.urls import path

from paperfeed.personal import onboarding_views

app_name = "welcome"

urlpatterns = [
    path("welcome", onboarding_views.categories, name="welcome"),
    path("welcome/topics", onboarding_views.topics, name="welcome-topics"),
    path("welcome/papers", onboarding_views.papers, name="welcome-papers"),
    path("welcome/mark/<path:arxiv_id>", onboarding_views.mark, name="welcome-mark"),
    path("welcome/done", onboarding_views.done, name="welcome-done"),
]

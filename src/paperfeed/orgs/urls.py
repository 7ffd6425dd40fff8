"""Routes of the organisation pages (mounted before ``personal``'s ``/orgs/<name>``, which
shows an organisation's page through :func:`paperfeed.orgs.views.local`)."""

from django.urls import path

from paperfeed.orgs import views

app_name = "orgs"

urlpatterns = [
    path("orgs/new", views.new, name="new"),
    path("orgs/attach", views.paper_attach, name="paper-add"),
    path("orgs/<slug:slug>/members", views.members, name="members"),
    path("orgs/<slug:slug>/members/add", views.member_add, name="member-add"),
    path("orgs/<slug:slug>/members/remove", views.member_remove, name="member-remove"),
    path("orgs/<slug:slug>/leave", views.leave, name="leave"),
    path("orgs/<slug:slug>/edit", views.edit, name="edit"),
    path("orgs/<slug:slug>/papers/remove", views.paper_detach, name="paper-remove"),
]

from django.urls import path

from paperfeed.community import views

app_name = "community"

urlpatterns = [
    path("papers/<path:arxiv_id>/vote", views.vote, name="vote"),
    path("papers/<path:arxiv_id>/comments", views.paper_comments, name="comments"),
    path("comments/<int:comment_id>/edit", views.edit_comment, name="comment_edit"),
    path("comments/<int:comment_id>/delete", views.delete_comment, name="comment_delete"),
    path("submit", views.submit, name="submit"),
    path(
        "submit/<int:submission_id>/status",
        views.submission_status,
        name="submission_status",
    ),
]

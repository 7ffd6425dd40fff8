from django.urls import path

from paperfeed.accounts import data_views, views

app_name = "accounts"

urlpatterns = [
    path("tokens", views.token_list, name="tokens"),
    path("tokens/<int:token_id>/revoke", views.token_revoke, name="token_revoke"),
    path("data/export.json", data_views.export_json, name="data-json"),
    path("data/library.bib", data_views.export_bibtex, name="data-bibtex"),
    path("delete", data_views.delete_account, name="delete"),
]

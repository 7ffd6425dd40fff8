from django.urls import path

from paperfeed.library import feeds, save_views, transfer_views, views

app_name = "library"

urlpatterns = [
    path("collections", views.collection_list, name="collections"),
    path("collections/new", views.collection_new, name="new"),
    path("collections/public", views.public_list, name="public"),
    path("collections/export", transfer_views.library_export, name="export-all"),
    path("collections/import", transfer_views.new_import, name="import-new"),
    path("collections/save", save_views.save, name="save"),
    path("collections/save/new", save_views.save_new, name="save-new"),
    path("collections/<int:collection_id>", views.collection_page, name="collection-bare"),
    path("collections/<int:collection_id>-<str:slug>", views.collection_page, name="collection"),
    path("collections/<int:collection_id>/edit", views.collection_edit, name="edit"),
    path("collections/<int:collection_id>/delete", views.collection_delete, name="delete"),
    path("collections/<int:collection_id>/add", save_views.add, name="add"),
    path("collections/<int:collection_id>/export", transfer_views.collection_export, name="export"),
    path("collections/<int:collection_id>/import", transfer_views.collection_import, name="import"),
    path("collections/<int:collection_id>/remove", views.item_remove, name="remove"),
    path("collections/<int:collection_id>/move", views.item_move, name="move"),
    path("collections/<int:collection_id>/note", views.item_note, name="note"),
    path("collections/<int:collection_id>/invite", views.member_invite, name="invite"),
    path("collections/<int:collection_id>/members/remove", views.member_remove, name="uninvite"),
    path("collections/<int:collection_id>/answer", views.invitation_answer, name="answer"),
    *(
        path(
            f"collections/<int:collection_id>.{kind}",
            feeds.CollectionFeed.as_kind(kind),
            name=f"feed-{kind}",
        )
        for kind in feeds.FEED_TYPES
    ),
]

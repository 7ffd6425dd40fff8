from django.urls import include, path

from paperfeed.personal import feeds, follow_views, settings_views, views

app_name = "personal"

settings_patterns = [
    # under /settings/ (the settings page, seen papers, mutes, list order)
    path("", settings_views.settings_page, name="settings"),
    path("seen", settings_views.seen_mode, name="seen-mode"),
    path("seen/forget", settings_views.seen_forget, name="seen-forget"),
    path("seen/dismiss", settings_views.dismiss, name="dismiss"),
    path("mutes", views.mute_list, name="mutes"),
    path("mutes/<int:mute_id>/remove", views.mute_remove, name="mute-remove"),
    path("order", views.order_choice, name="order"),
]

private_feeds = [
    route
    for kind in feeds.FEED_TYPES
    for route in (
        path(
            f"follows/<int:follow_id>.{kind}",
            feeds.FollowFeed.as_kind(kind),
            name=f"private-follow-{kind}",
        ),
        path(f"follows.{kind}", feeds.FollowsFeed.as_kind(kind), name=f"private-follows-{kind}"),
        path(f"for-you.{kind}", feeds.ForYouFeed.as_kind(kind), name=f"private-for-you-{kind}"),
    )
]

urlpatterns = [
    path("settings/", include(settings_patterns)),
    path("follows", follow_views.follow_list, name="follows"),
    path("follows/authors", follow_views.author_chooser, name="follow-authors"),
    path("follows/feed-token", follow_views.rotate_token, name="feed-token-rotate"),
    path("follows/<int:follow_id>", follow_views.follow_page, name="follow"),
    path("follows/<int:follow_id>/alert", follow_views.follow_alert, name="follow-alert"),
    path("follows/<int:follow_id>/remove", follow_views.follow_remove, name="follow-remove"),
    path("orgs/<path:name>", follow_views.org_page, name="org"),
    path("feeds/private/<str:token>/", include(private_feeds)),
]

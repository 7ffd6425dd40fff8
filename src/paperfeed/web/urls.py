from django.urls import path, register_converter
from django.views.generic import RedirectView

from paperfeed.web import converters, feeds, paper, search_page, similar_page, views

register_converter(converters.DayConverter, "day")
register_converter(converters.WeekConverter, "week")
register_converter(converters.MonthConverter, "month")

urlpatterns = [
    path("", views.home, name="home"),
    path("day/<day:day>", views.day, name="day"),
    path("week/<week:week>", views.week, name="week"),
    path("month/<month:month>", views.month, name="month"),
    path("trending", views.trending, name="trending"),
    path("search", search_page.search, name="search"),
    path("similar", similar_page.similar, name="similar"),
    path("authors/<int:author_id>", views.author, name="author"),
    path("categories/<str:category>", views.category, name="category"),
    path("users/<str:username>", views.user_page, name="user"),
    path("about", views.about, name="about"),
    path("ranking", views.ranking, name="ranking"),
    # Hugging Face's address of its trending page (?sort=stars included) leads to ours
    path(
        "papers/trending",
        RedirectView.as_view(pattern_name="trending", query_string=True),
        name="papers-trending",
    ),
    path("papers/<path:arxiv_id>", paper.paper, name="paper"),
    *[
        route
        for kind in feeds.FEED_TYPES
        for route in (
            path(f"feeds/daily.{kind}", feeds.DailyFeed.as_kind(kind), name=f"feed-daily-{kind}"),
            path(
                f"feeds/trending.{kind}",
                feeds.TrendingFeed.as_kind(kind),
                name=f"feed-trending-{kind}",
            ),
            path(
                f"feeds/categories/<str:category>.{kind}",
                feeds.CategoryFeed.as_kind(kind),
                name=f"feed-category-{kind}",
            ),
            path(
                f"feeds/search.{kind}", feeds.SearchFeed.as_kind(kind), name=f"feed-search-{kind}"
            ),
            path(
                f"feeds/users/<str:username>.{kind}",
                feeds.UserFeed.as_kind(kind),
                name=f"feed-user-{kind}",
            ),
        )
    ],
]

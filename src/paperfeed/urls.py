from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("paperfeed.ops.urls")),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("paperfeed.accounts.urls")),
    path("api/", include("paperfeed.api.urls")),
    path("", include("paperfeed.digests.urls")),
    path("", include("paperfeed.orgs.urls")),  # /orgs/new, /orgs/<slug>/... before /orgs/<name>
    path("", include("paperfeed.personal.urls")),  # /settings/..., /follows, /feeds/private/...
    path("", include("paperfeed.personal.welcome_urls")),
    path("", include("paperfeed.community.urls")),
    path("", include("paperfeed.library.export_urls")),  # /papers/{id}.bib before web's papers/
    path("", include("paperfeed.library.urls")),  # /collections...
    path("", include("paperfeed.claims.urls")),  # /claims...
    path("", include("paperfeed.web.urls")),
]

"""Export routes: included before the web app's, whose ``papers/<path:arxiv_id>`` would take
``/papers/hep-th/9901001.bib`` for a paper id."""

from django.urls import path, re_path

from paperfeed.library import export_views

urlpatterns = [
    re_path(
        r"^papers/(?P<arxiv_id>.+)\.(?P<extension>bib|ris|csl\.json|md)$",
        export_views.paper,
        name="paper-export",
    ),
    path("search/export", export_views.search, name="search-export"),
]

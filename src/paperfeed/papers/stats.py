"""Counts over the paper store: totals, by primary category, by month (listing day, else v1 date)."""

from __future__ import annotations

from django.db.models import Count
from django.db.models.functions import Coalesce, TruncMonth

from paperfeed.papers.models import Author, Paper


def store_stats(top: int = 20) -> dict:
    papers = Paper.objects.visible()
    by_category = (
        papers.values("primary_category")
        .annotate(n=Count("arxiv_id"))
        .order_by("-n", "primary_category")
    )
    day = Coalesce("listed", "published")
    by_month = (
        papers.annotate(day=day)
        .exclude(day=None)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(n=Count("arxiv_id"))
        .order_by("month")
    )
    return {
        "papers": papers.count(),
        "deleted": Paper.objects.filter(deleted=True).count(),
        "authors": Author.objects.count(),
        "categories": {row["primary_category"] or "(none)": row["n"] for row in by_category[:top]},
        "months": {row["month"].strftime("%Y-%m"): row["n"] for row in by_month},
    }

"""Query parameters of the pages: read ``request.GET``, parse with :mod:`paperfeed.params`.

A :class:`~paperfeed.params.BadParameter` becomes a 400 page naming the parameter
(:func:`bad_request`).
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import render

from paperfeed import params
from paperfeed.params import BadParameter

__all__ = [
    "BadParameter",
    "bad_request",
    "categories_param",
    "choice_param",
    "date_param",
    "filter_params",
    "flag_param",
    "int_param",
]


def bad_request(request, message: str):
    return render(
        request, "web/error.html", {"title": "Bad request", "message": message}, status=400
    )


def int_param(request, name: str, default: int, *, minimum: int = 1, maximum: int = 10_000) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    return params.parse_int(name, raw, minimum=minimum, maximum=maximum)


def choice_param(request, name: str, choices, default: str) -> str:
    return params.check_choice(name, request.GET.get(name, "") or default, choices)


def date_param(request, name: str) -> dt.date | None:
    raw = request.GET.get(name, "").strip()
    return params.parse_date(name, raw) if raw else None


def flag_param(request, name: str) -> bool:
    """A yes/no parameter (``?code=1``); absent: no."""
    return params.parse_flag(name, request.GET.get(name, ""))


def categories_param(request) -> list[str]:
    """``?category=`` (repeated, or comma- or space-separated), each a checked category name."""
    names = [
        c for value in request.GET.getlist("category") for c in value.replace(",", " ").split()
    ]
    return [params.check_category_name("category", name) for name in names]


def filter_params(request) -> tuple[list[str], dt.date | None, dt.date | None]:
    """The result filters the search pages share: ``?category=``, ``?since=``, ``?until=``."""
    return categories_param(request), date_param(request, "since"), date_param(request, "until")

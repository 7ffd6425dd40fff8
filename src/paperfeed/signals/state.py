"""Where each signal source stands: last success and failure, a rate-limit pause, a cursor.

:mod:`paperfeed.signals.fetching` records every run here; ``paperfeed doctor`` reads it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from paperfeed.signals.models import SourceState


def get(source: str) -> SourceState:
    state, _ = SourceState.objects.get_or_create(source=source)
    return state


def paused_until(source: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """The end of a rate-limit pause still running, else None."""
    now = now or timezone.now()
    until = SourceState.objects.filter(source=source).values_list("paused_until", flat=True).first()
    return until if until is not None and until > now else None


def started(source: str) -> None:
    SourceState.objects.update_or_create(
        source=source, defaults={"last_attempt_at": timezone.now()}
    )


def succeeded(source: str, summary: dict) -> None:
    get(source)
    SourceState.objects.filter(source=source).update(
        last_success_at=timezone.now(), last_summary=summary, paused_until=None
    )


def failed(source: str, error: str, summary: dict, paused: dt.datetime | None = None) -> None:
    get(source)
    SourceState.objects.filter(source=source).update(
        last_failure_at=timezone.now(), last_error=error, last_summary=summary, paused_until=paused
    )


def cursor(source: str) -> dict:
    return get(source).cursor or {}


def save_cursor(source: str, value: dict) -> None:
    """Where an interrupted run resumes; save it after the work it describes is stored."""
    get(source)
    SourceState.objects.filter(source=source).update(cursor=value)


def all_states() -> list[SourceState]:
    return list(SourceState.objects.order_by("source"))

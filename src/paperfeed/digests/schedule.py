"""When a subscriber's digest is due: periods in the subscriber's own time zone (pure functions).

A daily digest is sent each local day at ``send_hour`` and covers the 24 hours before that
moment; a weekly one on the local Monday at ``send_hour``, covering the 7 days before.  The period
key names the local day ("daily:2026-11-27") or ISO week ("weekly:2026-W48"): the send ledger has
one row per (subscriber, period key), so a period is sent at most once however often the
scheduler runs.

Alerts of follows add ``instant`` periods: ten-minute buckets of UTC time, keyed by their end
("instant:2026-12-06T08:10"), the same for everyone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

FREQUENCY_DAYS = {"daily": 1, "weekly": 7}
INSTANT = "instant"
INSTANT_MINUTES = 10
"""Length of an instant alert's period: what was stored in the last ten minutes."""


@dataclass(frozen=True)
class Period:
    key: str
    start: dt.datetime  # aware, inclusive
    end: dt.datetime  # aware, exclusive; the scheduled send moment


def _at_hour(day: dt.date, hour: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """``day`` at ``hour``:00 local time, as an aware UTC datetime (DST gaps resolve forward,
    as zoneinfo does for a non-existent wall time)."""
    local = dt.datetime(day.year, day.month, day.day, hour, tzinfo=zone)
    return local.astimezone(dt.UTC)


def period_key(frequency: str, local_day: dt.date) -> str:
    if frequency == "daily":
        return f"daily:{local_day.isoformat()}"
    if frequency == "weekly":
        year, week, _ = local_day.isocalendar()
        return f"weekly:{year}-W{week:02d}"
    raise ValueError(f"unknown frequency {frequency!r}; expected daily or weekly")


def _send_day(frequency: str, local_day: dt.date) -> dt.date:
    """The local day of the send moment of the period that holds ``local_day``."""
    if frequency == "weekly":
        return local_day - dt.timedelta(days=local_day.weekday())  # Monday
    return local_day


def instant_period(now: dt.datetime) -> Period:
    """The ten-minute bucket (UTC) whose end is the latest one at or before ``now``."""
    now = now.astimezone(dt.UTC)
    end = now.replace(minute=now.minute - now.minute % INSTANT_MINUTES, second=0, microsecond=0)
    start = end - dt.timedelta(minutes=INSTANT_MINUTES)
    return Period(f"{INSTANT}:{end:%Y-%m-%dT%H:%M}", start, end)


def period_containing(frequency: str, send_hour: int, timezone: str, now: dt.datetime) -> Period:
    """The period whose send moment is the latest one at or before ``now`` (aware); an instant
    period ignores the hour and the zone."""
    if frequency == INSTANT:
        return instant_period(now)
    if frequency not in FREQUENCY_DAYS:
        raise ValueError(f"unknown frequency {frequency!r}; expected daily or weekly")
    zone = zoneinfo.ZoneInfo(timezone)
    step = dt.timedelta(days=FREQUENCY_DAYS[frequency])
    day = _send_day(frequency, now.astimezone(zone).date())
    end = _at_hour(day, send_hour, zone)
    if end > now:
        day -= step
        end = _at_hour(day, send_hour, zone)
    start = _at_hour(day - step, send_hour, zone)
    return Period(period_key(frequency, day), start, end)


def next_period(frequency: str, send_hour: int, timezone: str, now: dt.datetime) -> Period:
    """The first period whose send moment is after ``now`` (what the preview shows)."""
    if frequency == INSTANT:
        return instant_period(now + dt.timedelta(minutes=INSTANT_MINUTES))
    current = period_containing(frequency, send_hour, timezone, now)
    zone = zoneinfo.ZoneInfo(timezone)
    day = current.end.astimezone(zone).date() + dt.timedelta(days=FREQUENCY_DAYS[frequency])
    return Period(period_key(frequency, day), current.end, _at_hour(day, send_hour, zone))


def backoff_seconds(attempt: int, base: float = 300.0, cap: float = 6 * 3600.0) -> float:
    """Delay before retry number ``attempt`` (1-based): ``min(cap, base * 2**(attempt-1))``
    (exponential backoff: 5 min, 10, 20, ... at most 6 h)."""
    if attempt < 1:
        raise ValueError(f"attempt must be >= 1, not {attempt}")
    return min(cap, base * 2 ** (attempt - 1))


def period_from_key(key: str, send_hour: int, timezone: str) -> Period:
    """The period a ledger key names, with the subscriber's hour and zone."""
    frequency, _, when = key.partition(":")
    if frequency == INSTANT:
        try:
            end = dt.datetime.strptime(when, "%Y-%m-%dT%H:%M").replace(tzinfo=dt.UTC)
        except ValueError as exc:
            raise ValueError(f"period key {key!r} is not instant:YYYY-MM-DDTHH:MM") from exc
        if end.minute % INSTANT_MINUTES:
            raise ValueError(f"period key {key!r} does not end a {INSTANT_MINUTES}-minute bucket")
        return instant_period(end)
    try:
        if frequency == "daily":
            day = dt.date.fromisoformat(when)
        elif frequency == "weekly":
            year, week = when.split("-W")
            day = dt.date.fromisocalendar(int(year), int(week), 1)
        else:
            raise ValueError(f"unknown frequency {frequency!r}")
    except ValueError as exc:
        raise ValueError(f"period key {key!r} is not daily:YYYY-MM-DD or weekly:YYYY-Www") from exc
    zone = zoneinfo.ZoneInfo(timezone)
    step = dt.timedelta(days=FREQUENCY_DAYS[frequency])
    return Period(key, _at_hour(day - step, send_hour, zone), _at_hour(day, send_hour, zone))

"""URL converters for the feed periods: days (YYYY-MM-DD), ISO weeks (YYYY-Www), months (YYYY-MM)."""

from __future__ import annotations

import datetime as dt


class DayConverter:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        return dt.date.fromisoformat(value)  # ValueError -> no match -> 404

    def to_url(self, value) -> str:
        return value.isoformat() if isinstance(value, dt.date) else str(value)


class WeekConverter:
    regex = r"\d{4}-W\d{2}"

    def to_python(self, value: str) -> tuple[int, int]:
        year, week = int(value[:4]), int(value[6:])
        dt.date.fromisocalendar(year, week, 1)  # ValueError for week 00 / 54
        return year, week

    def to_url(self, value) -> str:
        if isinstance(value, str):
            return value
        year, week = value
        return f"{year:04d}-W{week:02d}"


class MonthConverter:
    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> tuple[int, int]:
        year, month = int(value[:4]), int(value[5:])
        if not 1 <= month <= 12:
            raise ValueError(f"no month {month}")
        return year, month

    def to_url(self, value) -> str:
        if isinstance(value, str):
            return value
        year, month = value
        return f"{year:04d}-{month:02d}"

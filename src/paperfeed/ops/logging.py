"""JSON log lines and the request id they carry.

:data:`request_id` holds the id of the request being answered (set by
:class:`paperfeed.ops.middleware.RequestLogMiddleware`); :class:`RequestIdFilter` copies it onto
every log record emitted while the request runs, and :class:`JsonFormatter` writes one JSON
object per line::

    {"ts": "2026-11-27T02:30:00.123Z", "level": "INFO", "logger": "paperfeed.request",
     "message": "GET /search 200", "request_id": "...", "method": "GET", "path": "/search",
     "status": 200, "duration_ms": 12.3}
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import uuid

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "paperfeed_request_id", default=None
)
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9-]{1,64}$")
REQUEST_FIELDS = ("request_id", "method", "path", "status", "duration_ms")


def accept_request_id(incoming: str | None) -> str:
    """The incoming ``X-Request-ID`` when it is sane (``[A-Za-z0-9-]{1,64}``), else a new one."""
    if incoming and REQUEST_ID_RE.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (the current request's, or None) to records that lack one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, message and the request fields present."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
        line = {
            "ts": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in REQUEST_FIELDS:
            value = getattr(record, name, None)
            if name == "request_id" and value is None:
                value = request_id.get()
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)

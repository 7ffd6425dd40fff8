"""Run one signal source: the shared frame around ``paperfeed fetch hf|github|s2|pwc`` and the
scheduled jobs.

A source module (``paperfeed.signals.sources.<name>``) has ``fetch(options, report, *, notify,
progress)``, which fills ``report`` as it goes (so a failure still reports what was stored). :func:`run` refuses to start while the source is paused by a rate limit
(unless ``force``), records the outcome in :mod:`paperfeed.signals.state` — success with its
counts, or the failure and, for a rate limit, until when the source is paused — and re-raises
failures as :class:`~paperfeed.signals.http.SourceFailed` for the command or task to report.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from django.conf import settings

from paperfeed.progress import progress_bar
from paperfeed.signals import state
from paperfeed.signals.http import RateLimited, SourceFailed

SOURCES: dict[str, str] = {
    "hf": "Hugging Face daily papers: HF upvotes, list day, AI summary, code, project, organisation",
    "github": "GitHub repository metadata of linked code: stars, last push, licence, archived",
    "s2": "Semantic Scholar: TL;DR, citations, influential citations, venue, open-access PDF",
    "pwc": "Papers with Code (paperswithcode.co): code repositories and their stars",
}
"""Every signal source, with what it brings."""
URL_SETTINGS: dict[str, str] = {
    "hf": "PAPERFEED_HF_URL",
    "github": "PAPERFEED_GITHUB_API_URL",
    "s2": "PAPERFEED_S2_API_URL",
    "pwc": "PAPERFEED_PWC_API_URL",
}

Notify = Callable[[str], None]
Advance = Callable[[int], None]
ProgressBar = Callable[..., AbstractContextManager[Advance]]
"""``progress(description, total=None, unit="items")``: a context giving ``advance(n)``."""


def no_progress(description: str, **kwargs) -> AbstractContextManager[Advance]:
    return progress_bar(description, disable=True, **kwargs)


@dataclass
class Options:
    """What a fetch was asked for; each source reads the fields that concern it."""

    date: dt.date | None = None
    """hf: one list day."""
    since: dt.date | None = None
    """hf: every list day from this one to today."""
    ids: list[str] = field(default_factory=list)
    """github, s2, pwc: only these papers."""
    limit: int | None = None
    """At most this many items (repositories, papers) this run."""
    base_url: str | None = None
    """Instead of the source's base-URL setting."""
    force: bool = False
    """Run even while paused by a rate limit; refresh what is not due yet."""
    today: dt.date | None = None
    """The clock's day (tests); None: today in UTC."""


@dataclass
class Report:
    source: str
    counts: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    notices: list[str] = field(default_factory=list)
    complete: bool = True
    """False when the run stopped early (limit reached); the cursor says where to resume."""

    def add(self, **counts: int) -> None:
        for key, value in counts.items():
            self.counts[key] = self.counts.get(key, 0) + value

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            **self.counts,
            "requests": self.requests,
            "complete": self.complete,
            "notices": self.notices,
        }


class Paused(SourceFailed):
    """The source is paused by an earlier rate limit; nothing was requested."""


class Disabled(SourceFailed):
    """The source's URL setting is empty: this install does not ask it."""


def base_url(name: str, options: Options) -> str:
    """The URL to ask source ``name``: ``options.base_url``, else its setting
    (``URL_SETTINGS``); :class:`Disabled` when that is empty."""
    setting = URL_SETTINGS[name]
    url = (options.base_url or getattr(settings, setting, "") or "").strip().rstrip("/")
    if not url:
        raise Disabled(name, "", f"{setting} is empty: this install does not ask {name}")
    return url


def source_module(name: str):
    if name not in SOURCES:
        raise ValueError(f"unknown signal source {name!r}; one of {', '.join(SOURCES)}")
    return importlib.import_module(f"paperfeed.signals.sources.{name}")


def run(
    name: str,
    options: Options | None = None,
    *,
    notify: Notify | None = None,
    progress: ProgressBar | None = None,
) -> Report:
    """Fetch signals from source ``name`` and record the outcome (see the module doc)."""
    options = options or Options()
    module = source_module(name)
    base_url(name, options)  # Disabled before anything is recorded
    until = None if options.force else state.paused_until(name)
    if until is not None:
        raise Paused(
            name,
            "",
            f"paused by a rate limit until {until:%Y-%m-%d %H:%M:%S} UTC; nothing requested "
            "(--force to try anyway)",
        )
    state.started(name)
    report = Report(name)
    try:
        module.fetch(
            options,
            report,
            notify=notify or (lambda message: None),
            progress=progress or no_progress,
        )
    except RateLimited as exc:
        state.failed(name, str(exc), report.as_dict(), paused=exc.until)
        raise
    except SourceFailed as exc:
        state.failed(name, str(exc), report.as_dict())
        raise
    state.succeeded(name, report.as_dict())
    return report

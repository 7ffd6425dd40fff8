"""One progress bar for every long job (rich), with items/s, silent when not wanted.

On a terminal the bar is drawn in place. Elsewhere (a log file, ``| tee``, CI) a job that runs
longer than :data:`PLAIN_EVERY` seconds prints a plain line every that many seconds and one when
it ends, so a long step is never silent and a short one adds nothing to the output.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

PLAIN_EVERY = 10.0
"""Seconds between the plain progress lines printed when stderr is not a terminal."""


class _Rate(TextColumn):
    def __init__(self, unit: str):
        super().__init__("")
        self.unit = unit

    def render(self, task):
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} {self.unit}/s" if speed else f"- {self.unit}/s", style="cyan")


@contextmanager
def progress_bar(
    description: str, *, total: int | None = None, unit: str = "items", disable: bool = False
) -> Iterator[Callable[[int], None]]:
    """Yields ``advance(n)``; draws to stderr (nothing when ``disable``; plain lines, only for a
    job longer than :data:`PLAIN_EVERY` seconds, when stderr is not a terminal)."""
    console = Console(stderr=True)
    if disable:
        yield lambda n=1: None
        return
    if not console.is_terminal:
        with _plain_lines(console, description, total, unit) as advance:
            yield advance
        return
    columns = [TextColumn("{task.description}"), BarColumn()]
    columns += (
        [MofNCompleteColumn(), TaskProgressColumn()]
        if total
        else [TextColumn("{task.completed:,}")]
    )
    columns += [_Rate(unit), TimeElapsedColumn()]
    if total:
        columns.append(TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


@contextmanager
def _plain_lines(
    console: Console, description: str, total: int | None, unit: str
) -> Iterator[Callable[[int], None]]:
    started = last = time.monotonic()
    done = shown = 0
    printed = False

    def line(now: float) -> None:
        elapsed = now - started
        count = f"{done:,}/{total:,} {unit} ({done / total:.0%})" if total else f"{done:,} {unit}"
        rate = f", {done / elapsed:,.0f} {unit}/s" if elapsed > 0 else ""
        console.print(f"{description}: {count} in {elapsed:,.0f} s{rate}", highlight=False)

    def advance(n: int = 1) -> None:
        nonlocal done, last, printed, shown
        done += n
        now = time.monotonic()
        if now - last >= PLAIN_EVERY:
            line(now)
            last, printed, shown = now, True, done

    yield advance
    if (printed and shown != done) or (not printed and time.monotonic() - started >= PLAIN_EVERY):
        line(time.monotonic())

"""One progress bar for every long job (rich), with items/s, silent when not wanted."""

from __future__ import annotations

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
    """Yields ``advance(n)``; draws to stderr (nothing when ``disable`` or stderr is not a tty)."""
    console = Console(stderr=True)
    if disable:
        yield lambda n=1: None
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
    with Progress(
        *columns, console=console, transient=False, disable=not console.is_terminal
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)

"""Prometheus multiprocess mode for the processes of one node (``PROMETHEUS_MULTIPROC_DIR``).

gunicorn's web processes, the worker and ingest runs each keep their own counters; with this
mode each writes them to small memory-mapped files in ``$PAPERFEED_HOME/run/metrics`` and
``/metrics`` (in any web process) answers with the sum over all of them. prometheus_client picks
the mode when it is first imported, so :func:`enable` must run before that: ``paperfeed serve``
sets it in the environment gunicorn inherits, and the CLI sets it before Django starts for the
commands in :data:`COMMANDS`. This module must not import prometheus_client.

Files of processes that have exited keep their counts (a counter total must not drop when a
process ends) until the next ``paperfeed serve`` start clears them (:func:`clear_dead`), which
Prometheus reads as an ordinary counter reset.
"""

from __future__ import annotations

import os
from pathlib import Path

from paperfeed.processes import running

ENV = "PROMETHEUS_MULTIPROC_DIR"
COMMANDS = frozenset({"serve", "worker", "ingest", "fetch", "digest"})
"""The commands whose counters /metrics should include."""


def directory(home: Path) -> Path:
    return home / "run" / "metrics"


def enable(home: Path) -> Path:
    """Create the directory and point this process (and its children) at it."""
    path = directory(home)
    path.mkdir(parents=True, exist_ok=True)
    os.environ[ENV] = str(path)
    return path


def _pid_of(file: Path) -> int | None:
    """``counter_1234.db`` -> 1234 (prometheus_client's ``{type}_{pid}.db`` naming)."""
    tail = file.stem.rpartition("_")[2]
    return int(tail) if tail.isdigit() else None


def clear_dead(path: Path) -> int:
    """Remove the files of processes that no longer run; returns how many."""
    removed = 0
    for file in path.glob("*.db"):
        pid = _pid_of(file)
        if pid is not None and pid != os.getpid() and not running(pid):
            file.unlink(missing_ok=True)
            removed += 1
    return removed

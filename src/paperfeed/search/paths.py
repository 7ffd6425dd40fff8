"""Where the derived search indexes live on disk, and how a new generation is published.

Every index kind (``lexical``, and any other the search package keeps) lives under
``settings.DATA_DIR / "index"``::

    index/
      lexical.current        # one line: the directory name of the generation in use
      lexical-000003/        # the generation in use (tantivy files + state.json)
      lexical.lock           # flock() held by whoever writes the lexical index

A rebuild writes a fresh ``<kind>-<generation>`` directory, then replaces the pointer file with
:func:`os.replace` (atomic on POSIX), so a reader sees either the old or the new index, never a
half-written one. Only this module decides paths; nothing else in paperfeed builds them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

_GENERATION_RE = re.compile(r"^(?P<kind>[a-z]+)-(?P<gen>\d{6,})$")


class IndexBusy(RuntimeError):
    """Another process holds the write lock of an index."""


def index_root() -> Path:
    """``DATA_DIR/index``, the parent of every derived index."""
    return Path(settings.DATA_DIR) / "index"


def pointer_file(kind: str) -> Path:
    return index_root() / f"{kind}.current"


def current_dir(kind: str) -> Path | None:
    """The directory of the generation in use, or ``None`` when no index was built yet."""
    try:
        name = pointer_file(kind).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    match = _GENERATION_RE.match(name)
    if not match or match["kind"] != kind:
        return None
    path = index_root() / name
    return path if path.is_dir() else None


def generation_of(path: Path) -> int:
    match = _GENERATION_RE.match(path.name)
    if not match:
        raise ValueError(f"{path} is not an index generation directory (<kind>-NNNNNN)")
    return int(match["gen"])


def _generations(kind: str) -> list[Path]:
    root = index_root()
    if not root.is_dir():
        return []
    found = []
    for child in root.iterdir():
        match = _GENERATION_RE.match(child.name)
        if match and match["kind"] == kind and child.is_dir():
            found.append(child)
    return sorted(found, key=generation_of)


def new_generation_dir(kind: str) -> Path:
    """A fresh, empty directory for the next generation of ``kind`` (not yet published)."""
    root = index_root()
    root.mkdir(parents=True, exist_ok=True)
    existing = [generation_of(p) for p in _generations(kind)]
    generation = max(existing, default=0) + 1
    while True:
        path = root / f"{kind}-{generation:06d}"
        try:
            path.mkdir()
        except FileExistsError:
            generation += 1
            continue
        return path


def publish(kind: str, path: Path) -> None:
    """Make ``path`` the generation in use (atomically) and remove older generations."""
    pointer = pointer_file(kind)
    temporary = pointer.with_name(f".{pointer.name}.{os.getpid()}.tmp")
    temporary.write_text(path.name + "\n", encoding="utf-8")
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, pointer)
    for old in _generations(kind):
        if old != path and generation_of(old) < generation_of(path):
            # Readers that still hold old files keep them (POSIX unlink semantics).
            shutil.rmtree(old, ignore_errors=True)


def discard(path: Path) -> None:
    """Remove an unpublished generation (a rebuild that failed half-way)."""
    shutil.rmtree(path, ignore_errors=True)


def size_on_disk(path: Path) -> int:
    """Bytes used by the files under ``path``."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


@contextlib.contextmanager
def write_lock(kind: str) -> Iterator[None]:
    """Hold the write lock of ``kind``; raises :class:`IndexBusy` if another process holds it."""
    root = index_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{kind}.lock", "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusy(
                f"another process is writing the {kind} index in {root}; try again when it is done"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PAPERFEED_SHARED", REPO.parent / "shared"))
FIXTURES = SHARED / "fixtures"
DATA = SHARED / "data"


def free_port() -> int:
    """A loopback port nothing listens on (for a server a test starts, or a refused connection)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shared_file(*parts: str) -> Path:
    """A file from ../shared, or skip the test with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is not next to this clone)")
    return path


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with no request counted by a rate limit (they live in Django's cache,
    which outlives a test's database rollback: a user id reused by the next test would inherit
    the last one's comments)."""
    from django.core.cache import cache, caches

    from paperfeed.ops import pagecache

    cache.clear()
    caches[pagecache.VERSIONS].clear()  # no token of an earlier test's votes
    pagecache.changed("a new test")  # no page stored by an earlier test is served


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """A fresh, empty PAPERFEED_HOME for code that writes index files or runs the CLI."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("PAPERFEED_HOME", str(home))
    from django.conf import settings

    monkeypatch.setattr(settings, "DATA_DIR", home)
    return home


def cli_env(home: Path, **extra: str) -> dict:
    """The environment of a ``paperfeed`` subprocess on its own SQLite data directory."""
    env = {
        **os.environ,
        "PAPERFEED_HOME": str(home),
        "DATABASE_URL": "",
        "PAPERFEED_HARVEST_DELAY": "0",
        **extra,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # pytest-django's test settings are not for it
    return env


CLI = [sys.executable, "-m", "paperfeed"]


def run_cli(
    *args: str,
    home: Path,
    input: bytes | None = None,
    env: dict | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess:
    """Run ``paperfeed ARGS`` in a subprocess on its own SQLite data directory."""
    return subprocess.run(
        [*CLI, *args],
        input=input,
        capture_output=True,
        env=cli_env(home, **(env or {})),
        timeout=timeout,
    )


@contextmanager
def index_held_by_another_writer(kind: str = "lexical") -> Iterator[threading.Event]:
    """Another writer of this node holds the ``kind`` index lock (a thread) until the yielded
    event is set, or the block ends."""
    from paperfeed.search import paths  # after Django is set up by pytest-django

    locked, release = threading.Event(), threading.Event()

    def other_writer():
        with paths.write_lock(kind):
            locked.set()
            release.wait(10)

    holder = threading.Thread(target=other_writer)
    holder.start()
    try:
        assert locked.wait(10)
        yield release
    finally:
        release.set()
        holder.join(10)


@pytest.fixture
def staff(db):
    """A client logged in as a superuser (the moderator of the admin tests)."""
    from tests.community.factories import logged_in, make_user  # needs Django set up

    return logged_in(make_user("moderator", is_staff=True, is_superuser=True))

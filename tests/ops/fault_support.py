"""What the process-level fault tests (``tests/ops/test_fault_*.py``) share: a database per test
(SQLite in its own data directory, or a scratch PostgreSQL database in the suite's PostgreSQL
pass), ``paperfeed`` subprocesses, ``paperfeed serve`` with its gunicorn workers, and a private
PostgreSQL cluster that a test may stop and start."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from tests.conftest import CLI, REPO, cli_env, free_port
from tests.ops.conftest import database_url, scratch_postgres_database

T = TypeVar("T")
SUITE_POSTGRES = os.environ.get("PAPERFEED_TEST_DATABASE_URL", "")


def wait_until(check: Callable[[], T], timeout: float, what: str, every: float = 0.05) -> T:
    """The first truthy value of ``check()``; fails naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


# --- the database under test -------------------------------------------------------------------


@dataclass
class Store:
    """A data directory and its database: ``url`` is the DATABASE_URL ('' = SQLite in home)."""

    home: Path
    url: str = ""

    def env(self, **extra: str) -> dict:
        return cli_env(self.home, DATABASE_URL=self.url, **extra)

    def rows(self, sql: str) -> list[tuple]:
        """Rows of a read-only query, straight from the database (no Django)."""
        if not self.url:
            with sqlite3.connect(self.home / "paperfeed.sqlite3", timeout=10) as db:
                return db.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.url, connect_timeout=5) as db:
            return db.execute(sql).fetchall()

    def count(self, table: str) -> int:
        """Rows in ``table``; 0 while the table does not exist yet."""
        try:
            return self.rows(f"select count(*) from {table}")[0][0]
        except Exception:  # noqa: BLE001 - no table yet (or locked for a moment): nothing counted
            return 0


@contextmanager
def scratch_store(tmp_path: Path, label: str) -> Iterator[Store]:
    """A fresh data directory and database: SQLite, or in the suite's PostgreSQL pass
    (PAPERFEED_TEST_DATABASE_URL) a database of its own on that server, dropped afterwards."""
    home = tmp_path / label
    home.mkdir()
    if not SUITE_POSTGRES.startswith("postgres"):
        yield Store(home)
        return
    with scratch_postgres_database(f"fault_{label}") as db:
        yield Store(home, database_url(db))


# --- paperfeed processes -----------------------------------------------------------------------


def paperfeed(store: Store, *args: str, timeout: float = 120, **env: str):
    """Run ``paperfeed ARGS`` to the end; fails with its output when it exits non-zero."""
    done = subprocess.run(
        [*CLI, *args], capture_output=True, env=store.env(**env), timeout=timeout, cwd=REPO
    )
    assert done.returncode == 0, (
        f"paperfeed {' '.join(args)} exited {done.returncode}:\n"
        f"{done.stdout.decode(errors='replace')[-2000:]}\n{done.stderr.decode(errors='replace')[-3000:]}"
    )
    return done


def start_paperfeed(store: Store, *args: str, log: Path, **env: str) -> subprocess.Popen:
    """``paperfeed ARGS`` in the background, its output in ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [*CLI, *args], stdout=out, stderr=subprocess.STDOUT, env=store.env(**env), cwd=REPO
        )


def script(store: Store, *args: str | int) -> dict:
    """Run :mod:`tests.ops.fault_script` on the store and return its JSON answer."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.ops.fault_script", *map(str, args)],
        capture_output=True,
        env=store.env(DJANGO_SETTINGS_MODULE="paperfeed.settings"),
        timeout=120,
        cwd=REPO,
    )
    assert done.returncode == 0, f"fault_script {args}: {done.stderr.decode(errors='replace')}"
    return json.loads(done.stdout)


def kill_9(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, f"exited {proc.returncode} before the kill"


def children(pid: int) -> set[int]:
    """Live (not zombie) child processes of ``pid``, from /proc."""
    found = set()
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            text = Path(stat).read_text()
        except OSError:
            continue  # gone meanwhile
        state, ppid = text.rpartition(")")[2].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.add(int(stat.split("/")[2]))
    return found


# --- paperfeed serve -------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    @property
    def master(self) -> int:
        return self.process.pid  # `paperfeed serve` execs gunicorn: same pid

    def workers(self) -> set[int]:
        return children(self.master)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError):
        return False


@contextmanager
def serving(store: Store, workers: int, log: Path, **env: str) -> Iterator[Server]:
    """``paperfeed serve --workers N`` on a free port (``env``: extra settings), up (/healthz
    answers, every worker booted) on entry; stopped (SIGTERM, then SIGKILL of its process
    group) on exit."""
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*CLI, "serve", "--port", str(port), "--workers", str(workers), "--timeout", "30"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=store.env(**env),
            cwd=REPO,
            start_new_session=True,  # its own process group: the workers die with it
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until(
            lambda: process.poll() is not None or _answers(server.url + "/healthz"),
            90,
            "paperfeed serve to answer",
            every=0.2,
        )
        assert process.poll() is None, f"paperfeed serve exited:\n{server.output()[-3000:]}"
        wait_until(lambda: len(server.workers()) == workers, 60, f"{workers} gunicorn workers")
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # a worker left behind by a killed master


# --- a private PostgreSQL cluster -----------------------------------------------------------


def _postgres_bin() -> Path | None:
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not found:
        return None
    newest = max(found, key=lambda p: int(Path(p).parents[1].name.split(".")[0]))
    return Path(newest).parent


class PrivatePostgres:
    """A PostgreSQL server of our own in a temporary directory, on a free port of 127.0.0.1,
    trusted local logins, run as the ``postgres`` OS user when we are root (the server refuses
    to run as root)."""

    def __init__(self, bindir: Path, root: Path, as_user: list[str]):
        self.bindir, self.root, self.as_user = bindir, root, as_user
        self.data, self.logfile = root / "data", root / "server.log"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        done = subprocess.run(
            [*self.as_user, str(self.bindir / tool), *args],
            capture_output=True,
            timeout=timeout,
            cwd=self.root,
        )
        assert done.returncode == 0, (
            f"{tool} {' '.join(args)} exited {done.returncode}: "
            f"{done.stdout.decode(errors='replace')}{done.stderr.decode(errors='replace')}\n"
            f"{self.log()[-2000:]}"
        )

    def log(self) -> str:
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""

    def init(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=50"
        )
        self._run(
            "pg_ctl",
            "start",
            "-D",
            str(self.data),
            "-l",
            str(self.logfile),
            "-w",
            "-t",
            "60",
            "-o",
            options,
        )

    def stop(self, mode: str) -> None:
        """``pg_ctl stop -m MODE`` (fast: ends every session; immediate: like a crash)."""
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "60")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def kill(self) -> None:
        """SIGKILL our postmaster (its sessions end with it) when pg_ctl could not stop it."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass  # not running


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started :class:`PrivatePostgres`; stopped and deleted on exit. Skips the test when the
    server binaries (or, as root, the ``postgres`` user and ``runuser``) are missing."""
    bindir = _postgres_bin()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")
    as_user: list[str] = []
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server as")
        runuser = shutil.which("runuser")
        if runuser is None:
            pytest.skip("running as root and runuser is missing (needed to start PostgreSQL)")
        as_user = [runuser, "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="paperfeed-pg-"))
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    cluster = PrivatePostgres(bindir, root, as_user)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            try:
                cluster.stop("immediate")
            except (AssertionError, subprocess.TimeoutExpired):
                cluster.kill()
        shutil.rmtree(root, ignore_errors=True)

from __future__ import annotations

import hashlib
import ipaddress
import os
import resource
import shutil
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from paperfeed.ops import multiproc
from paperfeed.web import server

STAMP = ".paperfeed-collected"


def _sources_fingerprint() -> str:
    """A hash of every static source file's path, size and modification time."""
    digest = hashlib.sha256(repr(settings.STORAGES).encode())
    digest.update(repr(getattr(settings, "WHITENOISE_SKIP_COMPRESS_EXTENSIONS", None)).encode())
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static() -> bool:
    """``collectstatic`` (copy + whitenoise's gzip/brotli of ~17 MB, ~10 s) only when a source
    file changed since the last run; True when it ran."""
    stamp = Path(settings.STATIC_ROOT) / STAMP
    fingerprint = _sources_fingerprint()
    if stamp.exists() and stamp.read_text().strip() == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint + "\n")
    return True


def connections_per_worker() -> int:
    """gunicorn's 1,000 connections a worker, within the open-file limit (first raised towards
    its hard limit, as nginx's worker_rlimit_nofile): each connection is a file descriptor, and
    a worker out of them cannot accept."""
    wanted = 1000 + 200  # 200 for the database, the index files, the logs
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return 1000
    return max(10, min(1000, soft - 200))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Command(BaseCommand):
    help = (
        "Serve the web app with gunicorn (paperfeed.web.serve_app:application, preloaded); static "
        "files are collected "
        "into PAPERFEED_HOME/static first and served by whitenoise. Runs until stopped "
        "(SIGTERM/SIGINT stop it gracefully). Exit status: gunicorn's (0 after a clean stop, "
        "non-zero when it could not start, e.g. the port is taken)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="Address to listen on (default 127.0.0.1; 0.0.0.0 for all).",
        )
        parser.add_argument("--port", type=int, default=8000, help="Port (default 8000).")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            metavar="N",
            help="Worker processes (default: 2 x CPU cores + 1, at most 8).",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=60,
            help="Seconds before a silent worker is restarted (default 60).",
        )
        parser.add_argument(
            "--read-timeout",
            type=float,
            default=server.DEFAULT_READ_TIMEOUT,
            metavar="SECONDS",
            help=(
                "Seconds a client has to send a request (its head and a body of up to 2.5 MB) "
                "and for each read or write after that; a slower one is disconnected "
                f"(default {server.DEFAULT_READ_TIMEOUT:g}). Requests are read by each worker's "
                "event loop, so slow clients do not hold a worker."
            ),
        )

    def handle(self, *args, host, port, workers, timeout, read_timeout, **options):
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}")
        if not 0 < read_timeout < 86400:
            raise CommandError(
                f"--read-timeout must be between 0 and 86400 seconds, not {read_timeout:g}"
            )
        if workers is None:
            workers = min(8, 2 * (os.cpu_count() or 1) + 1)
        if workers < 1:
            raise CommandError(f"--workers must be at least 1, not {workers}")
        metrics_dir = os.environ.get(multiproc.ENV)
        if metrics_dir:  # set by the CLI (PAPERFEED_METRICS_MULTIPROCESS): one /metrics total
            multiproc.clear_dead(Path(metrics_dir))
        call_command("migrate", interactive=False, verbosity=0)
        collect_static()
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
            "gunicorn"
        )
        connections = connections_per_worker()
        argv = [sys.executable, "-m", "gunicorn"] if gunicorn is None else [gunicorn]
        argv += [
            "paperfeed.web.serve_app:application",
            # the app, the query encoder and the templates loaded once in the master and shared
            # by the workers it forks; each worker opens the indexes before its first request
            # (paperfeed/web/warmup.py). Code changes need a restart, not a HUP.
            "--preload",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            # one request at a time per process as with gunicorn's sync worker, but requests are
            # read (and connections closed) by the worker's event loop: paperfeed/web/server.py
            "--worker-class",
            "paperfeed.web.server.BufferingThreadWorker",
            "--threads",
            "1",
            # and a connection per request, as before: a killed or restarted worker cuts off
            # the request it was serving, not the idle kept-alive connections of other clients
            "--keep-alive",
            "0",
            "--worker-connections",
            str(connections),
            "--timeout",
            str(timeout),
            "--access-logfile",
            "-",
            "--error-logfile",
            "-",
        ]
        if not is_loopback(host):
            self.stderr.write(
                f"note: serving on {host} without a proxy: slow clients are handled (a request "
                f"must arrive within --read-timeout, {read_timeout:g} s), but more than "
                f"{workers * connections} connections held open at once make every visitor "
                "wait; on the open internet put nginx in front (docs/deploy.md)."
            )
        self.stdout.write(f"serving on http://{host}:{port}/ with {workers} workers")
        self.stdout.flush()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
        os.environ[server.READ_TIMEOUT_ENV] = repr(read_timeout)
        os.execv(argv[0], argv)

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from paperfeed.ops import multiproc

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


class Command(BaseCommand):
    help = (
        "Serve the web app with gunicorn (paperfeed.wsgi:application); static files are collected "
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

    def handle(self, *args, host, port, workers, timeout, **options):
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}")
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
        argv = [sys.executable, "-m", "gunicorn"] if gunicorn is None else [gunicorn]
        argv += [
            "paperfeed.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--timeout",
            str(timeout),
            "--access-logfile",
            "-",
            "--error-logfile",
            "-",
        ]
        self.stdout.write(f"serving on http://{host}:{port}/ with {workers} workers")
        self.stdout.flush()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
        os.execv(argv[0], argv)

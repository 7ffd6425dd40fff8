"""`paperfeed doctor`: checks of a deployment, each OK / WARN / FAIL with what to fix."""

from __future__ import annotations

import shutil
import smtplib
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

from paperfeed import config
from paperfeed.ops.backup import pending_migrations
from paperfeed.search.embedding_job import pending
from paperfeed.search.sync import index_status

OK, WARN, FAIL = "OK", "WARN", "FAIL"
SMTP_TIMEOUT = 5.0
FREE_FAIL_BYTES = 1 << 30  # under 1 GiB free: FAIL
FREE_WARN_BYTES = 5 << 30  # under 5 GiB free: WARN


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def check_settings() -> list[Check]:
    checks = []
    if config.get_bool("PAPERFEED_PRODUCTION"):
        problems = config.production_problems(
            debug=settings.DEBUG, secret=settings.SECRET_KEY, allowed_hosts=settings.ALLOWED_HOSTS
        )
        checks += [Check("settings", FAIL, p) for p in problems]
        if not problems:
            checks.append(Check("settings", OK, "production mode, no insecure settings"))
    elif settings.DEBUG:
        checks.append(
            Check("settings", WARN, "debug is on; set PAPERFEED_DEBUG=0 unless developing")
        )
    else:
        checks.append(Check("settings", OK, "debug off (PAPERFEED_PRODUCTION=0)"))
    if config.get("SECRET_KEY"):
        checks.append(Check("secret key", OK, "from the SECRET_KEY environment variable"))
    else:
        path = Path(settings.DATA_DIR) / "secret_key"
        checks.append(
            Check(
                "secret key",
                OK,
                f"from {path} (every process and node must share it; or set SECRET_KEY)",
            )
        )
    return checks


def check_database() -> list[Check]:
    vendor = connection.vendor
    try:
        connection.ensure_connection()
    except Exception as exc:
        return [Check("database", FAIL, f"{vendor} unreachable: {exc}; check DATABASE_URL")]
    todo = pending_migrations()
    if todo:
        shown = ", ".join(todo[:3]) + (", ..." if len(todo) > 3 else "")
        return [
            Check("database", OK, f"{vendor} reachable"),
            Check(
                "migrations",
                FAIL,
                f"{len(todo)} pending ({shown}); run `paperfeed init` (applies them)",
            ),
        ]
    return [Check("database", OK, f"{vendor} reachable"), Check("migrations", OK, "all applied")]


def check_index() -> list[Check]:
    status = index_status()
    in_db, in_index = status["papers_in_db"], status["papers_in_index"]
    if in_index is None:
        if in_db == 0:
            return [Check("search index", OK, "no papers and no index yet")]
        return [Check("search index", FAIL, f"no index for {in_db} papers; run `paperfeed index`")]
    changed = status["changed_since_sync"] or 0
    if changed or in_db != in_index:
        return [
            Check(
                "search index",
                WARN,
                f"stale: {in_db} papers in the database, {in_index} in the index, {changed} "
                "changed since the last sync; run `paperfeed index`",
            )
        ]
    return [
        Check(
            "search index", OK, f"up to date ({in_index} papers, generation {status['generation']})"
        )
    ]


def check_embeddings() -> list[Check]:
    model = settings.PAPERFEED_EMBEDDING_MODEL
    todo = len(pending(model))
    if todo:
        return [
            Check(
                "embeddings", WARN, f"{todo} papers lack a vector of {model}; run `paperfeed embed`"
            )
        ]
    return [Check("embeddings", OK, f"every paper has a vector of {model}")]


def check_smtp(timeout: float = SMTP_TIMEOUT) -> list[Check]:
    backend = settings.EMAIL_BACKEND
    if backend.endswith("console.EmailBackend"):
        return [Check("smtp", OK, "console (mail is printed, not sent)")]
    if not backend.endswith("smtp.EmailBackend"):
        return [Check("smtp", OK, f"backend {backend}")]
    host, port = settings.EMAIL_HOST, settings.EMAIL_PORT
    klass = smtplib.SMTP_SSL if settings.EMAIL_USE_SSL else smtplib.SMTP
    try:
        with klass(host, port, timeout=timeout) as smtp:
            code, _ = smtp.ehlo()
            if code != 250:
                raise smtplib.SMTPResponseException(code, "EHLO refused")
    except (OSError, smtplib.SMTPException) as exc:
        return [
            Check(
                "smtp",
                FAIL,
                f"cannot reach {host}:{port}: {exc or type(exc).__name__}; check EMAIL_URL "
                "and that the mail server accepts connections from here",
            )
        ]
    return [Check("smtp", OK, f"{host}:{port} answers EHLO")]


def check_data_dir() -> list[Check]:
    data_dir = Path(settings.DATA_DIR)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".doctor-"):
            pass
    except OSError as exc:
        return [
            Check(
                "data directory",
                FAIL,
                f"{data_dir} is not writable: {exc}; fix its owner or set PAPERFEED_HOME",
            )
        ]
    free = shutil.disk_usage(data_dir).free
    text = f"{data_dir} writable, {free / (1 << 30):.1f} GiB free"
    if free < FREE_FAIL_BYTES:
        return [Check("data directory", FAIL, f"{text}; free disk space (indexes need room)")]
    if free < FREE_WARN_BYTES:
        return [Check("data directory", WARN, f"{text}; free disk space soon")]
    return [Check("data directory", OK, text)]


CHECKS: tuple[Callable[[], list[Check]], ...] = (
    check_settings,
    check_database,
    check_index,
    check_embeddings,
    check_smtp,
    check_data_dir,
)
NEEDS_DATABASE = {check_index, check_embeddings}


def run_checks() -> list[Check]:
    """Every check in order; one that raises becomes a FAIL naming the error. Checks reading the
    database are skipped when it is unreachable or not migrated."""
    results: list[Check] = []
    for check in CHECKS:
        db_bad = any(c.status == FAIL and c.name in {"database", "migrations"} for c in results)
        if check in NEEDS_DATABASE and db_bad:
            name = check.__name__.removeprefix("check_").replace("_", " ")
            results.append(Check(name, WARN, "skipped: fix the database first"))
            continue
        try:
            results += check()
        except Exception as exc:
            name = check.__name__.removeprefix("check_").replace("_", " ")
            results.append(Check(name, FAIL, f"{type(exc).__name__}: {exc}"))
    return results


def exit_code(results: list[Check]) -> int:
    return 1 if any(c.status == FAIL for c in results) else 0


__all__ = ["Check", "run_checks", "exit_code"]

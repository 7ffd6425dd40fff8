"""`paperfeed doctor`: checks of a deployment, each OK / WARN / FAIL with what to fix.

The signal sources (Hugging Face, GitHub, Semantic Scholar, Papers with Code) get one check each:
last success and failure, a rate-limit pause, switched off, and how many papers carry their
signals. A failing source is a WARN, never a FAIL: an install without internet is normal and
works without them."""

from __future__ import annotations

import datetime as dt
import shutil
import smtplib
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from paperfeed import config
from paperfeed.ops.backup import pending_migrations
from paperfeed.search.embedding_job import pending
from paperfeed.search.sync import index_status
from paperfeed.signals import fetching
from paperfeed.signals import state as signal_state
from paperfeed.signals.models import PaperRepository, PaperSignals, Repository, SourceState

OK, WARN, FAIL = "OK", "WARN", "FAIL"
SMTP_TIMEOUT = 5.0
FREE_FAIL_BYTES = 1 << 30  # under 1 GiB free: FAIL
FREE_WARN_BYTES = 5 << 30  # under 5 GiB free: WARN


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    message: str
    detail: dict | None = None
    """Figures behind the message, for ``--json`` (signal sources)."""

    def as_dict(self) -> dict:
        data = asdict(self)
        if self.detail is None:
            del data["detail"]
        return data


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


def check_query_model() -> list[Check]:
    """Web processes encode queries with the ONNX file the batch commands export: without it
    searches answer lexically (search/query_encoder.py)."""
    from paperfeed.search.models import Embedding
    from paperfeed.search.query_encoder import files_problem

    model = settings.PAPERFEED_EMBEDDING_MODEL
    if model.startswith("hashing:"):
        return [Check("query model", OK, f"{model} (test encoder, no model files)")]
    problem = files_problem(model)
    if problem is None:
        return [Check("query model", OK, f"{model} exported to ONNX and checked")]
    if not Embedding.objects.filter(model=model).exists():
        return [Check("query model", OK, "no vectors yet, so no semantic search to serve")]
    return [Check("query model", WARN, f"searches answer lexically: {problem}")]


def check_rerank_model() -> list[Check]:
    """With PAPERFEED_RERANK_MODEL set, web processes re-rank with the ONNX export the batch
    commands make (search/cross_encoder.py): without it results keep the fused order."""
    from paperfeed.search import cross_encoder

    path = cross_encoder.configured()
    if not path:
        return [Check("re-ranking", OK, "off (PAPERFEED_RERANK_MODEL is empty)")]
    problem = cross_encoder.files_problem(path)
    if problem is None:
        return [Check("re-ranking", OK, f"{path} exported to ONNX and checked")]
    return [Check("re-ranking", WARN, f"results keep the fused order: {path}: {problem}")]


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


def signal_counts() -> dict[str, dict[str, int]]:
    """How many papers carry each source's signals (one query over the signal rows, two over
    the links): what a source has brought so far."""
    per_paper = PaperSignals.objects.aggregate(
        hf_upvotes=Count("pk", filter=Q(hf_upvotes__isnull=False)),
        hf_listed=Count("pk", filter=Q(hf_day__isnull=False)),
        ai_summary=Count("pk", filter=~Q(ai_summary="")),
        with_code=Count("pk", filter=Q(has_code=True)),
        with_stars=Count("pk", filter=Q(stars__isnull=False)),
        s2_asked=Count("pk", filter=Q(s2_fetched_at__isnull=False)),
        s2_data=Count("pk", filter=~Q(s2_id="")),
        tldr=Count("pk", filter=~Q(tldr="")),
        venue=Count("pk", filter=~Q(venue="")),
    )
    repos = Repository.objects.aggregate(
        fetched=Count("pk", filter=Q(status=Repository.OK)),
        gone=Count("pk", filter=Q(status=Repository.GONE)),
        unchecked=Count("pk", filter=Q(status=Repository.UNCHECKED)),
    )
    pwc = (
        PaperRepository.objects.filter(source=PaperRepository.PWC)
        .values("paper_id")
        .distinct()
        .count()
    )
    return {
        "hf": {
            "papers with HF upvotes": per_paper["hf_upvotes"],
            "on HF's daily list": per_paper["hf_listed"],
            "with an AI summary": per_paper["ai_summary"],
        },
        "github": {
            "papers with code": per_paper["with_code"],
            "with stars": per_paper["with_stars"],
            "repositories fetched": repos["fetched"],
            "gone": repos["gone"],
            "not fetched yet": repos["unchecked"],
        },
        "s2": {
            "papers asked": per_paper["s2_asked"],
            "with S2 data": per_paper["s2_data"],
            "with a TL;DR": per_paper["tldr"],
            "with a venue": per_paper["venue"],
        },
        "pwc": {"papers with PwC code links": pwc},
    }


def _when(moment: dt.datetime | None) -> str:
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC" if moment else "never"


def source_check(
    name: str,
    source: SourceState | None,
    counts: dict[str, int],
    now: dt.datetime,
) -> Check:
    """One signal source's line: WARN while its last run failed (after its last success) or
    a rate-limit pause runs; OK otherwise, also when switched off or never run."""
    setting = fetching.URL_SETTINGS[name]
    url = (getattr(settings, setting, "") or "").strip()
    success = source.last_success_at if source else None
    failure = source.last_failure_at if source else None
    paused = (
        source.paused_until
        if source and source.paused_until and source.paused_until > now
        else None
    )
    error = (source.last_error if source else "") or ""
    shown = ", ".join(f"{value:,} {label}" for label, value in counts.items())
    detail = {
        "url_setting": setting,
        "switched_off": not url,
        "last_success_at": success.isoformat() if success else None,
        "last_failure_at": failure.isoformat() if failure else None,
        "last_error": error,
        "paused_until": paused.isoformat() if paused else None,
        "counts": counts,
    }
    check_name = f"signals {name}"
    if not url:
        return Check(check_name, OK, f"switched off ({setting} is empty); {shown}", detail)
    if success is None and failure is None:
        message = f"never fetched (run `paperfeed fetch {name}`); {shown}"
        return Check(check_name, OK, message, detail)
    parts = [f"last success {_when(success)}"]
    if failure is not None:
        parts.append(f"last failure {_when(failure)}: {error}")
    if paused:
        parts.append(f"rate limited: paused until {_when(paused)}")
    message = "; ".join([*parts, shown])
    if paused or (failure is not None and (success is None or failure > success)):
        return Check(
            check_name, WARN, f"{message} (a later `paperfeed fetch {name}` resumes)", detail
        )
    return Check(check_name, OK, message, detail)


def check_signals() -> list[Check]:
    states = {s.source: s for s in signal_state.all_states()}
    counts = signal_counts()
    now = timezone.now()
    return [source_check(name, states.get(name), counts[name], now) for name in fetching.SOURCES]


CHECKS: tuple[Callable[[], list[Check]], ...] = (
    check_settings,
    check_database,
    check_index,
    check_embeddings,
    check_query_model,
    check_rerank_model,
    check_smtp,
    check_data_dir,
    check_signals,
)
NEEDS_DATABASE = {check_index, check_embeddings, check_query_model, check_signals}


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

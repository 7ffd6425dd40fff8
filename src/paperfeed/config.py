"""Every setting paperfeed reads from the environment, declared once with its default and help.

Django's ``settings.py`` reads values through :func:`load`; ``paperfeed doctor``-style checks and
``paperfeed settings`` list them from :data:`SETTINGS`.  Nothing here touches the database.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "PAPERFEED_HOME",
        "./paperfeed-data",
        "Data directory: SQLite database, search indexes, secret key.",
    ),
    Setting(
        "DATABASE_URL",
        "",
        "Database URL, e.g. postgres://user@host:5432/paperfeed. Empty: SQLite file "
        "$PAPERFEED_HOME/paperfeed.sqlite3 (WAL mode, 30 s busy timeout).",
    ),
    Setting(
        "SECRET_KEY",
        "",
        "Django secret key. Empty: generated once and kept in $PAPERFEED_HOME/secret_key.",
    ),
    Setting("PAPERFEED_DEBUG", "0", "1 turns on Django debug pages. Never in production."),
    Setting(
        "PAPERFEED_PRODUCTION",
        "0",
        "1 = production mode: refuses to start with debug on, a default or missing SECRET_KEY, "
        "or no PAPERFEED_ALLOWED_HOSTS.",
    ),
    Setting(
        "PAPERFEED_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]", "Comma-separated host names served."
    ),
    Setting(
        "PAPERFEED_EMBEDDING_MODEL",
        "all-MiniLM-L6-v2",
        "sentence-transformers model name or path used for semantic search.",
    ),
    Setting("PAPERFEED_ARXIV_OAI_URL", "https://oaipmh.arxiv.org/oai", "arXiv OAI-PMH endpoint."),
    Setting(
        "PAPERFEED_ARXIV_API_URL", "https://export.arxiv.org/api/query", "arXiv query API endpoint."
    ),
    Setting(
        "PAPERFEED_HARVEST_DELAY",
        "3",
        "Seconds between requests to arXiv (arXiv asks for at least 3).",
    ),
    Setting(
        "PAPERFEED_CONTACT_EMAIL",
        "",
        "Contact address sent to arXiv in the harvester's User-Agent (mailto:); empty: none.",
    ),
    Setting(
        "PAPERFEED_SUBMISSIONS_PER_DAY",
        "10",
        "Papers one user may submit to the daily feed per day (UTC); further submissions are "
        "refused until the next day.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}
INSECURE_KEY_PREFIX = "django-insecure-"


def get(name: str) -> str:
    """The value of a declared setting: environment first, then its declared default."""
    setting = _BY_NAME[name]
    return os.environ.get(name, setting.default)


def get_bool(name: str) -> bool:
    value = get(name).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean; use 1 or 0")


class ConfigError(Exception):
    """A setting is missing or unsafe; the message names each problem."""


def home() -> Path:
    return Path(get("PAPERFEED_HOME")).expanduser().resolve()


def secret_key(data_dir: Path) -> str:
    """SECRET_KEY from the environment, else the one stored in the data directory (made once)."""
    key = get("SECRET_KEY")
    if key:
        return key
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


def production_problems(*, debug: bool, secret: str, allowed_hosts: list[str]) -> list[str]:
    """Each reason production mode refuses to start (empty list: safe)."""
    problems = []
    if debug:
        problems.append("PAPERFEED_DEBUG is on; set PAPERFEED_DEBUG=0")
    if not get("SECRET_KEY"):
        problems.append("SECRET_KEY is not set; set a long random SECRET_KEY in the environment")
    elif secret.startswith(INSECURE_KEY_PREFIX) or len(secret) < 32:
        problems.append("SECRET_KEY is a default or too short (under 32 characters)")
    if not os.environ.get("PAPERFEED_ALLOWED_HOSTS"):
        problems.append("PAPERFEED_ALLOWED_HOSTS is not set; name the host names you serve")
    elif "*" in allowed_hosts:
        problems.append("PAPERFEED_ALLOWED_HOSTS contains '*'; name the host names you serve")
    return problems

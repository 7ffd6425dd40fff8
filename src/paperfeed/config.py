"""Every setting paperfeed reads from the environment, declared once with its default and help.

Django's ``settings.py`` reads values through :func:`load`; ``paperfeed doctor``-style checks and
``paperfeed settings`` list them from :data:`SETTINGS`.  Nothing here touches the database.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import secrets
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


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
        "1 = production mode: refuses to start with debug on, a missing or weak SECRET_KEY "
        "(a placeholder, short, patterned), or no PAPERFEED_ALLOWED_HOSTS; sends HSTS, secure "
        "cookies and redirects plain HTTP to HTTPS (PAPERFEED_HSTS_*, PAPERFEED_SSL_REDIRECT).",
    ),
    Setting(
        "PAPERFEED_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]", "Comma-separated host names served."
    ),
    Setting(
        "PAPERFEED_HSTS_SECONDS",
        "31536000",
        "Production mode: Strict-Transport-Security max-age in seconds (default one year): "
        "browsers that saw the site over HTTPS refuse plain HTTP to it for this long. "
        "0 sends no HSTS header.",
    ),
    Setting(
        "PAPERFEED_HSTS_INCLUDE_SUBDOMAINS",
        "0",
        "Production mode: 1 adds includeSubDomains to HSTS. Off by default: it forces HTTPS "
        "on every subdomain of the host too, which may serve sites paperfeed does not run.",
    ),
    Setting(
        "PAPERFEED_HSTS_PRELOAD",
        "0",
        "Production mode: 1 adds preload to HSTS (needed to submit the domain to browsers' "
        "preload lists; hard to undo, so opt-in).",
    ),
    Setting(
        "PAPERFEED_SSL_REDIRECT",
        "1",
        "Production mode: 1 redirects plain-HTTP requests to HTTPS (as the proxy tells it with "
        "X-Forwarded-Proto); /healthz, /readyz and /metrics are never redirected. 0 only "
        "where TLS is terminated elsewhere and nothing reaches paperfeed over plain HTTP.",
    ),
    Setting(
        "PAPERFEED_CSP_IMG_HOSTS",
        "https://cdn-avatars.huggingface.co https://huggingface.co https://www.gravatar.com",
        "Space-separated hosts the Content-Security-Policy lets pages load images from, besides "
        "this site and data: URLs (organisation avatars from Hugging Face's daily papers).",
    ),
    Setting(
        "PAPERFEED_EMBEDDING_MODEL",
        "all-MiniLM-L6-v2",
        "sentence-transformers model name or path used for semantic search.",
    ),
    Setting(
        "PAPERFEED_RERANK_MODEL",
        "",
        "Path of a sentence-transformers CrossEncoder directory that re-ranks the best "
        "PAPERFEED_RERANK_DEPTH results of a relevance-ordered hybrid or semantic search "
        "(empty: off, the default). Loaded from the path only, never downloaded; `paperfeed "
        "index` exports it to ONNX, which web processes run without torch.",
    ),
    Setting(
        "PAPERFEED_RERANK_DEPTH",
        "50",
        "How many of the best results the cross-encoder re-ranks (PAPERFEED_RERANK_MODEL).",
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
        "PAPERFEED_HF_URL",
        "https://huggingface.co",
        "Hugging Face, for `paperfeed fetch hf` (GET /api/daily_papers). Empty: never asked.",
    ),
    Setting(
        "PAPERFEED_GITHUB_API_URL",
        "https://api.github.com",
        "GitHub's REST API, for `paperfeed fetch github` (GET /repos/OWNER/REPO). Empty: never "
        "asked.",
    ),
    Setting(
        "GITHUB_TOKEN",
        "",
        "Optional GitHub token: 5,000 requests an hour instead of 60. Sent only to "
        "PAPERFEED_GITHUB_API_URL.",
    ),
    Setting(
        "PAPERFEED_S2_API_URL",
        "https://api.semanticscholar.org",
        "Semantic Scholar's API, for `paperfeed fetch s2` (POST /graph/v1/paper/batch). Empty: "
        "never asked.",
    ),
    Setting(
        "S2_API_KEY",
        "",
        "Optional Semantic Scholar API key (x-api-key): 1 request a second of one's own instead "
        "of the shared anonymous pool.",
    ),
    Setting(
        "PAPERFEED_PWC_API_URL",
        "https://paperswithcode.co/api/v1",
        "Hugging Face's Papers with Code API, for `paperfeed fetch pwc`. Empty: never asked.",
    ),
    Setting(
        "PAPERFEED_SIGNALS_DELAY",
        "1",
        "Seconds between two requests to one signal source (Hugging Face, GitHub, Semantic "
        "Scholar, Papers with Code).",
    ),
    Setting(
        "PAPERFEED_HOT_WEIGHT_UPVOTES",
        "3",
        "Hot ranking: points per upvote on this paperfeed (your own community; see /ranking).",
    ),
    Setting(
        "PAPERFEED_HOT_WEIGHT_HF_UPVOTES",
        "1",
        "Hot ranking: points per upvote on Hugging Face's daily papers.",
    ),
    Setting(
        "PAPERFEED_HOT_WEIGHT_STARS",
        "3",
        "Hot ranking: points per doubling of the GitHub stars the paper's code gained this week "
        "(log2(1 + gained): a repository that gained 1,000 stars is worth 10 times this).",
    ),
    Setting(
        "PAPERFEED_HOT_WEIGHT_CITATIONS",
        "2",
        "Hot ranking: points per doubling of the paper's citations (log2(1 + citations), "
        "Semantic Scholar's count).",
    ),
    Setting(
        "PAPERFEED_CONTACT_EMAIL",
        "",
        "Contact address sent to arXiv in the harvester's User-Agent (mailto:); empty: none.",
    ),
    Setting(
        "EMAIL_URL",
        "console://",
        "Where mail goes. smtp://user:password@host:587?tls=1 (STARTTLS), "
        "smtps://user:password@host:465 (implicit TLS), smtp://host:25 (plain), "
        "console:// (print to stdout, for development). Percent-encode special characters in "
        "the user and password. Optional ?timeout=SECONDS (default 30).",
    ),
    Setting(
        "PAPERFEED_FROM_EMAIL",
        "paperfeed <paperfeed@localhost>",
        "From: address of digests and confirmation emails.",
    ),
    Setting(
        "PAPERFEED_BASE_URL",
        "http://localhost:8000",
        "Public address of the site, used for the links in emails (no trailing slash). Counts as "
        "set when it differs from this default; unset, each address's mails link to the "
        "scheme and host it subscribed on (when ALLOWED_HOSTS names that host outright).",
    ),
    Setting(
        "PAPERFEED_WORKER_SETS",
        "",
        "Space-separated arXiv OAI-PMH sets `paperfeed worker` fetches each round, e.g. "
        "'cs stat'. Empty: the worker does not fetch (send only).",
    ),
    Setting(
        "REDIS_URL",
        "",
        "Redis for the task queue, e.g. redis://127.0.0.1:6379/0: background jobs go to an RQ "
        "queue there that every `paperfeed worker` of the install drains. Empty: the queue is a "
        "table of the database (nothing else to run).",
    ),
    Setting(
        "PAPERFEED_PAGE_CACHE_SECONDS",
        "60",
        "Seconds an anonymous page, feed or API list stays in the page cache (Redis when "
        "REDIS_URL is set, else each web process's memory). Votes, comments, new papers, "
        "signal refreshes and moderation replace the cache's version at once; this bounds "
        "time-dependent orders (trending's decay). 0 turns the cache off (ETag and 304 stay).",
    ),
    Setting(
        "PAPERFEED_LOG_REQUESTS",
        "0",
        "1 = log one JSON line per request to stderr (logger paperfeed.request: ts, level, "
        "request_id, method, path, status, duration_ms). 0: only warnings.",
    ),
    Setting(
        "PAPERFEED_DB_CONNECT_TIMEOUT",
        "5",
        "Seconds to wait for PostgreSQL to accept a connection before giving up (the request "
        "is then answered 503). Not used with SQLite.",
    ),
    Setting(
        "PAPERFEED_INDEX_CATCHUP_SECONDS",
        "30",
        "Web processes check at most this often, while serving requests, whether the database "
        "changed since this node's search indexes were synced, and bring them up to date in the "
        "background (so a node catches up after an ingest on another node). 0 turns it off.",
    ),
    Setting(
        "PAPERFEED_METRICS_MULTIPROCESS",
        "1",
        "1 = `paperfeed serve`, `worker`, `ingest`, `fetch` and `digest` share their Prometheus "
        "counters through $PAPERFEED_HOME/run/metrics, so /metrics answers with the sum over "
        "this node's processes. 0 = each process reports only its own numbers.",
    ),
    Setting(
        "PAPERFEED_SUBMISSIONS_PER_DAY",
        "10",
        "Papers one user may submit to the daily feed per day (UTC); further submissions are "
        "refused until the next day.",
    ),
    # --- abuse limits (docs/security.md); rates: amount/period/per, comma-separated ---
    Setting(
        "PAPERFEED_TRUSTED_PROXIES",
        "",
        "Reverse proxies in front of paperfeed, so limits count the real client: empty = none "
        "(the client is the socket's peer); a number N = N proxies, the client is the N-th "
        "X-Forwarded-For address from the right; or networks, e.g. '127.0.0.1,10.0.0.0/8' = "
        "hops inside them are proxies. Behind the sample nginx config: 1.",
    ),
    Setting(
        "PAPERFEED_LIMIT_LOGIN_FAILED",
        "10/m/ip,5/5m/key",
        "Failed logins (site and /admin/): per client address, and per account (key).",
    ),
    Setting(
        "PAPERFEED_LIMIT_SUBSCRIBE",
        "5/h/ip,20/d/ip",
        "Digest subscription requests (POST /subscribe) per client address. Each address can "
        "also hold at most one pending confirmation per day.",
    ),
    Setting(
        "PAPERFEED_LIMIT_CONFIRMATION_MAIL",
        "100/h/key",
        "Confirmation emails the whole site sends (a cap over all clients, key = the site).",
    ),
    Setting(
        "PAPERFEED_LIMIT_SUBMIT",
        "20/h/ip,5/m/user",
        "Paper submissions per client address and per account (on top of "
        "PAPERFEED_SUBMISSIONS_PER_DAY).",
    ),
    Setting(
        "PAPERFEED_LIMIT_COMMENT",
        "5/m/user,60/d/user,30/h/ip",
        "Comments (new and edited) per account and per client address.",
    ),
    Setting(
        "PAPERFEED_LIMIT_IMPORT",
        "10/m/user,60/h/ip",
        "Library imports and their previews (POST /api/v1/library/resolve; each reads a file "
        "of up to 5,000 entries) per account and per client address.",
    ),
    Setting(
        "PAPERFEED_LIMIT_INVITE",
        "20/h/user,100/d/user",
        "Invitations to edit a collection (paperfeed/library), per account: each shows on the "
        "invited user's collections page.",
    ),
    Setting(
        "PAPERFEED_LIMIT_ORG",
        "3/d/user",
        "New organisations (paperfeed/orgs) per account; a user owns at most 5 at once.",
    ),
    Setting(
        "PAPERFEED_LIMIT_ACCOUNT_EXPORT",
        "10/h/user",
        "Downloads of one's own data (the account's JSON and library BibTeX, page and API "
        "/api/v1/me/export) per account: each reads everything the account holds.",
    ),
    Setting(
        "PAPERFEED_LIMIT_ACCOUNT_DELETE",
        "5/h/user",
        "Attempts to delete one's account (each checks the password), per account: a stolen "
        "session or API token cannot guess the password through them.",
    ),
    Setting(
        "PAPERFEED_LIMIT_CLAIM",
        "10/d/user",
        "Claims to be an author (paperfeed/claims: the claim form and POST /api/v1/claims), per "
        "account; each asks a moderator's time.",
    ),
    # --- author claims (paperfeed/claims, docs/claims.md) ---
    Setting(
        "PAPERFEED_CLAIM_AUTO_APPROVE",
        "",
        "When a claim to be an author is approved without a moderator: named rules over the "
        "evidence gathered with it, joined by + (all must hold), alternatives separated by "
        "commas. Rules: orcid (an ORCID iD with a valid check digit was given), verified_email "
        "(the account has a verified email address), name (the account's full name or username "
        "is the author's name), coauthors (the author shares a co-author with an author the "
        "user's approved claims hold). E.g. 'orcid+verified_email'. A disputed claim (another "
        "user holds the author) always waits for a moderator. Empty: never.",
    ),
    # --- who sees the operations detail (/metrics, the checks of /readyz; ops/access.py) ---
    Setting(
        "PAPERFEED_OPS_NETWORKS",
        "127.0.0.0/8,::1",
        "Comma-separated addresses or networks (CIDR) whose requests get /metrics and /readyz's "
        "detail (database vendor, document counts, index generation). Others get /readyz as a "
        "bare status and /metrics 403, unless they send PAPERFEED_OPS_TOKEN. The client address "
        "is read through PAPERFEED_TRUSTED_PROXIES. Empty: no network.",
    ),
    Setting(
        "PAPERFEED_OPS_TOKEN",
        "",
        "Bearer token (Authorization: Bearer ...) that gets /metrics and /readyz's detail from "
        "any address, e.g. for a Prometheus outside PAPERFEED_OPS_NETWORKS. At least 32 random "
        "characters. Empty: no token is accepted.",
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


def get_number(name: str, *, minimum: float = 0) -> float:
    """A declared numeric setting; ConfigError names the setting and the bad value."""
    value = get(name).strip()
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a number") from None
    if number < minimum:
        raise ConfigError(f"{name}={value!r} must be at least {minimum:g}")
    return number


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


MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 80
MAKE_A_KEY = "make one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
PLACEHOLDER_WORDS = re.compile(
    r"change.?me|secret|example|placeholder|default|insecure|password|dummy|replace", re.I
)
"""Words a person types into a sample key and forgets: a random key of 50 URL-safe characters
holds one of them with a probability under 1e-7."""


def secret_weakness(secret: str) -> str | None:
    """Why ``secret`` is no key for production, or None. A key must have at least
    :data:`MIN_SECRET_LENGTH` characters, not be Django's generated default, hold no placeholder
    word, not repeat itself (zlib shrinks it to under 3/4), and carry at least
    :data:`MIN_SECRET_BITS` bits by the Shannon estimate of its characters::

        bits = -n * sum_c p_c * log2(p_c)        p_c = (count of character c) / n

    (an estimate from the key alone. It undercounts short random keys -- 32 hex characters,
    128 random bits, estimate 89-125 bits over 100,000 draws -- hence the bar of 80; it
    overrates a key made of a few guessable words, which the placeholder and repetition tests
    catch in their common forms).

    >>> secret_weakness("abc") is not None, secret_weakness("x" * 60) is not None
    (True, True)
    >>> secret_weakness("3kP_9vQz-R7wLmX2sT8yBn4hJc6dGf1aKe5uWo0iYpZq")
    """
    if secret.startswith(INSECURE_KEY_PREFIX):
        return f"is Django's generated default ({INSECURE_KEY_PREFIX}...)"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"is too short ({len(secret)} characters; at least {MIN_SECRET_LENGTH})"
    found = PLACEHOLDER_WORDS.search(secret)
    if found:
        return f"looks like a placeholder (it contains {found.group(0)!r})"
    if len(zlib.compress(secret.encode(), 9)) < 0.75 * len(secret.encode()):
        return "repeats itself (a pattern, not random characters)"
    counts = Counter(secret)
    n = len(secret)
    bits = -n * sum(c / n * math.log2(c / n) for c in counts.values())
    if bits < MIN_SECRET_BITS:
        return f"is too predictable (about {bits:.0f} bits; at least {MIN_SECRET_BITS})"
    return None


def production_problems(*, debug: bool, secret: str, allowed_hosts: list[str]) -> list[str]:
    """Each reason production mode refuses to start (empty list: safe)."""
    problems = []
    if debug:
        problems.append("PAPERFEED_DEBUG is on; set PAPERFEED_DEBUG=0")
    if not get("SECRET_KEY"):
        problems.append("SECRET_KEY is not set; set a long random SECRET_KEY in the environment")
    elif weakness := secret_weakness(secret):
        problems.append(f"SECRET_KEY {weakness}; {MAKE_A_KEY}")
    if not os.environ.get("PAPERFEED_ALLOWED_HOSTS"):
        problems.append("PAPERFEED_ALLOWED_HOSTS is not set; name the host names you serve")
    elif "*" in allowed_hosts:
        problems.append("PAPERFEED_ALLOWED_HOSTS contains '*'; name the host names you serve")
    return problems


LIMIT_SETTINGS = (
    "PAPERFEED_LIMIT_LOGIN_FAILED",
    "PAPERFEED_LIMIT_SUBSCRIBE",
    "PAPERFEED_LIMIT_CONFIRMATION_MAIL",
    "PAPERFEED_LIMIT_SUBMIT",
    "PAPERFEED_LIMIT_COMMENT",
    "PAPERFEED_LIMIT_IMPORT",
    "PAPERFEED_LIMIT_INVITE",
    "PAPERFEED_LIMIT_ORG",
    "PAPERFEED_LIMIT_ACCOUNT_EXPORT",
    "PAPERFEED_LIMIT_ACCOUNT_DELETE",
    "PAPERFEED_LIMIT_CLAIM",
)
_RATE = re.compile(r"\d+/(\d+(\.\d+)?)?[smhd](/(ip|user|key))?")


def limit(name: str) -> str:
    """A rate setting (allauth's syntax, see :mod:`paperfeed.ops.throttle`); ConfigError names a
    malformed one. Empty: no limit."""
    value = get(name).strip()
    if value and not all(_RATE.fullmatch(part.strip()) for part in value.split(",")):
        raise ConfigError(
            f"{name}={value!r}: write rates as amount/period/per, comma-separated, e.g. "
            "'5/h/ip,20/d/ip' (period s, m, h or d, optionally with a number: 5m; per ip, user "
            "or key)"
        )
    return value


@dataclass(frozen=True)
class TrustedProxies:
    """``PAPERFEED_TRUSTED_PROXIES`` parsed: a hop count, or networks, or nothing (see
    :func:`paperfeed.ops.throttle.resolve_client` for how each is read)."""

    count: int = 0
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()


def parse_trusted_proxies(text: str) -> TrustedProxies:
    """``""`` -> none, ``"2"`` -> two hops, ``"10.0.0.0/8, ::1"`` -> networks; ConfigError names
    a part that is neither a count nor an address or network."""
    text = (text or "").strip()
    if not text:
        return TrustedProxies()
    if text.isdigit():
        return TrustedProxies(count=int(text))
    networks = []
    for part in (p.strip() for p in text.split(",")):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ConfigError(
                f"PAPERFEED_TRUSTED_PROXIES={text!r}: {part!r} is neither a number of proxies "
                "(e.g. 1) nor an IP address or network (e.g. 10.0.0.0/8)"
            ) from None
    return TrustedProxies(networks=tuple(networks))


def address_networks(name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """A declared setting of comma-separated addresses or networks (``10.0.0.0/8, ::1``);
    ConfigError names a part that is neither."""
    found = []
    for part in (p.strip() for p in get(name).split(",")):
        if not part:
            continue
        try:
            found.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ConfigError(
                f"{name}: {part!r} is not an IP address or network (e.g. 10.0.0.0/8 or ::1)"
            ) from None
    return tuple(found)


def ops_token() -> str:
    """``PAPERFEED_OPS_TOKEN``, empty or a key strong enough to stand in for a network check."""
    token = get("PAPERFEED_OPS_TOKEN").strip()
    if token and (weakness := secret_weakness(token)):
        raise ConfigError(f"PAPERFEED_OPS_TOKEN {weakness}; {MAKE_A_KEY}")
    return token


def email_settings(url: str) -> dict:
    """Django's EMAIL_* settings for an ``EMAIL_URL`` (see its help); ConfigError names what is
    wrong with a bad one."""
    parts = urlsplit(url.strip() or "console://")
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme not in {"smtp", "smtps"}:
        raise ConfigError(
            f"EMAIL_URL={url!r}: unknown scheme {parts.scheme!r}; use smtp://, smtps:// or console://"
        )
    if not parts.hostname:
        raise ConfigError(f"EMAIL_URL={url!r}: no host name (e.g. smtp://mail.example.org:587)")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"tls", "ssl", "timeout"}
    if unknown:
        raise ConfigError(f"EMAIL_URL={url!r}: unknown option(s) {', '.join(sorted(unknown))}")
    try:
        port = parts.port
        timeout = float(query.get("timeout", "30"))
    except ValueError as exc:
        raise ConfigError(f"EMAIL_URL={url!r}: {exc}") from exc
    use_ssl = scheme == "smtps" or query.get("ssl", "0") in {"1", "true", "yes"}
    use_tls = query.get("tls", "0") in {"1", "true", "yes"}
    if use_ssl and use_tls:
        raise ConfigError(f"EMAIL_URL={url!r}: choose tls=1 (STARTTLS) or ssl (implicit TLS)")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if use_ssl else 587 if use_tls else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": timeout,
    }


def claim_rule(name: str) -> str:
    """``PAPERFEED_CLAIM_AUTO_APPROVE`` checked (paperfeed/claims/rules.py); ConfigError names an
    unknown rule."""
    from paperfeed.claims import rules

    value = get(name).strip()
    try:
        rules.parse_rule(value)
    except ValueError as exc:
        raise ConfigError(f"{name}={value!r}: {exc}") from None
    return value

"""Django settings, all read from the environment through :mod:`paperfeed.config`."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from paperfeed import config

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = config.home()

DEBUG = config.get_bool("PAPERFEED_DEBUG")
SECRET_KEY = config.secret_key(DATA_DIR)
ALLOWED_HOSTS = [h.strip() for h in config.get("PAPERFEED_ALLOWED_HOSTS").split(",") if h.strip()]
PRODUCTION = config.get_bool("PAPERFEED_PRODUCTION")
if PRODUCTION:
    _problems = config.production_problems(
        debug=DEBUG, secret=SECRET_KEY, allowed_hosts=ALLOWED_HOSTS
    )
    if _problems:
        raise config.ConfigError(
            "production mode refuses insecure settings:\n  - " + "\n  - ".join(_problems)
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves the /api/docs page's Swagger UI files itself instead of from a CDN
    "allauth",
    "allauth.account",
    "paperfeed.papers",
    "paperfeed.ingest",
    "paperfeed.search",
    "paperfeed.community",
    "paperfeed.accounts",
    "paperfeed.web",
    "paperfeed.api",
    "paperfeed.digests",
    "paperfeed.ops",
    "paperfeed.jobs",
    "paperfeed.signals",
    "paperfeed.personal",
    "paperfeed.library",
    "paperfeed.orgs",
    "paperfeed.claims",
    "django_tasks",
    "django_tasks_db",  # installed with Redis too: the schema does not depend on REDIS_URL
]

MIDDLEWARE = [
    "paperfeed.ops.middleware.RequestLogMiddleware",  # request id, access log, latency metric
    "paperfeed.api.middleware.JsonErrorsMiddleware",  # every error under /api/ is JSON
    "paperfeed.search.catchup.IndexCatchUpMiddleware",  # this node's indexes follow the DB
    "paperfeed.ops.middleware.DatabaseOutageMiddleware",  # database down -> 503, not 500
    "paperfeed.ops.middleware.HealthCheckMiddleware",  # /healthz, /readyz, /metrics: no host check
    "paperfeed.ops.middleware.BadInputMiddleware",  # NUL, lone surrogates... -> 400 naming them
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (below)
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "paperfeed.ops.pagecache.PageCacheMiddleware",  # last: anonymous pages cached, ETag/304
]

ROOT_URLCONF = "paperfeed.urls"
WSGI_APPLICATION = "paperfeed.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]


def _database(url: str) -> dict:
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "paperfeed.sqlite3"),
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;"
                ),
            },
        }
    db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if db["ENGINE"] == "django.db.backends.postgresql":
        # a server that does not answer (host down, firewall) fails fast -> 503, not a hang
        db.setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", max(1, round(config.get_number("PAPERFEED_DB_CONNECT_TIMEOUT")))
        )
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("OPTIONS", {}).update(
            {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            }
        )
    return db


DATABASES = {"default": _database(config.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- accounts (django-allauth); the accounts app owns this block ---
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # the emailed link shows a page whose POST confirms
ACCOUNT_LOGOUT_ON_GET = False  # logging out is a POST (CSRF-protected)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[paperfeed] "
# allauth's throttles (its defaults for the rest) count in Django's cache: by default 10 failed
# logins a minute per client address, 5 per account per 5 minutes. A file cache in the data
# directory, so that every web worker process counts the same attempts (a local-memory cache
# would count per process).
ACCOUNT_RATE_LIMITS = {"login_failed": config.limit("PAPERFEED_LIMIT_LOGIN_FAILED")}
# every limit counts the client behind the trusted proxies (paperfeed.ops.throttle.client_address;
# the adapter gives allauth the same address); allauth's own setting kept in step for its helpers
PAPERFEED_TRUSTED_PROXIES = config.parse_trusted_proxies(config.get("PAPERFEED_TRUSTED_PROXIES"))
ALLAUTH_TRUSTED_PROXY_COUNT = PAPERFEED_TRUSTED_PROXIES.count
PAPERFEED_LIMIT_SUBSCRIBE = config.limit("PAPERFEED_LIMIT_SUBSCRIBE")
PAPERFEED_LIMIT_CONFIRMATION_MAIL = config.limit("PAPERFEED_LIMIT_CONFIRMATION_MAIL")
PAPERFEED_LIMIT_SUBMIT = config.limit("PAPERFEED_LIMIT_SUBMIT")
PAPERFEED_LIMIT_COMMENT = config.limit("PAPERFEED_LIMIT_COMMENT")
PAPERFEED_LIMIT_IMPORT = config.limit("PAPERFEED_LIMIT_IMPORT")
PAPERFEED_LIMIT_INVITE = config.limit("PAPERFEED_LIMIT_INVITE")
PAPERFEED_LIMIT_ORG = config.limit("PAPERFEED_LIMIT_ORG")
PAPERFEED_LIMIT_ACCOUNT_EXPORT = config.limit("PAPERFEED_LIMIT_ACCOUNT_EXPORT")
PAPERFEED_LIMIT_ACCOUNT_DELETE = config.limit("PAPERFEED_LIMIT_ACCOUNT_DELETE")
PAPERFEED_LIMIT_CLAIM = config.limit("PAPERFEED_LIMIT_CLAIM")
PAPERFEED_CLAIM_AUTO_APPROVE = config.claim_rule("PAPERFEED_CLAIM_AUTO_APPROVE")
# "default": the rate limits (ops/throttle.py, allauth) count in it, per node across processes.
# "pages" and "page_versions": the anonymous pages' cache (paperfeed.ops.pagecache): Redis when
# REDIS_URL is set (every node shares both); otherwise the pages in each process's memory and
# their version token in a file cache every process of the node reads (a vote in one worker
# shows at once in the others).
REDIS_URL = config.get("REDIS_URL").strip()
PAPERFEED_PAGE_CACHE_SECONDS = config.get_number("PAPERFEED_PAGE_CACHE_SECONDS")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    },
    "pages": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "paperfeed-pages",
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "paperfeed-pages",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    ),
    "page_versions": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "paperfeed-pages",
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "page-versions"),
            # never culled: a paper's token lost early would bring back its older pages
            "OPTIONS": {"MAX_ENTRIES": 10_000_000},
        }
    ),
}
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# a new account's first login lands on onboarding (/welcome) instead of LOGIN_REDIRECT_URL
ACCOUNT_ADAPTER = "paperfeed.accounts.adapter.AccountAdapter"
# searched before the apps' templates, so these overrides of allauth's templates win
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "accounts" / "templates"]
PAPERFEED_SUBMISSIONS_PER_DAY = int(config.get("PAPERFEED_SUBMISSIONS_PER_DAY"))
PAPERFEED_HF_URL = config.get("PAPERFEED_HF_URL").strip().rstrip("/")
PAPERFEED_GITHUB_API_URL = config.get("PAPERFEED_GITHUB_API_URL").strip().rstrip("/")
GITHUB_TOKEN = config.get("GITHUB_TOKEN").strip()
PAPERFEED_S2_API_URL = config.get("PAPERFEED_S2_API_URL").strip().rstrip("/")
S2_API_KEY = config.get("S2_API_KEY").strip()
PAPERFEED_PWC_API_URL = config.get("PAPERFEED_PWC_API_URL").strip().rstrip("/")
PAPERFEED_SIGNALS_DELAY = config.get_number("PAPERFEED_SIGNALS_DELAY")
# the hot ranking's weights (paperfeed.rankings.hot.Weights; the papers app hands them over)
PAPERFEED_HOT_WEIGHTS = {
    "upvotes": config.get_number("PAPERFEED_HOT_WEIGHT_UPVOTES"),
    "hf_upvotes": config.get_number("PAPERFEED_HOT_WEIGHT_HF_UPVOTES"),
    "stars_gained": config.get_number("PAPERFEED_HOT_WEIGHT_STARS"),
    "citations": config.get_number("PAPERFEED_HOT_WEIGHT_CITATIONS"),
}
# --- end accounts ---

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve app static files without collectstatic in development
from whitenoise.compress import Compressor  # noqa: E402

# source maps are fetched by developer tools only: not worth ~6 s of brotli on every collect
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# --- email (the digests app owns this block): EMAIL_URL -> Django's EMAIL_* settings ---
globals().update(config.email_settings(config.get("EMAIL_URL")))
DEFAULT_FROM_EMAIL = config.get("PAPERFEED_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PAPERFEED_BASE_URL = config.get("PAPERFEED_BASE_URL").rstrip("/")
# --- end email ---

# --- background jobs (the jobs app owns this block): Django's tasks framework (the django-tasks
# backport, the API of django.tasks in Django 6) on the database, or on an RQ queue in Redis ---
# (REDIS_URL is read above, with CACHES: the page cache uses the same Redis)
JOB_TIMEOUT_SECONDS = 24 * 3600  # RQ stops a job after this (its default, 180 s, is too short)
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": JOB_TIMEOUT_SECONDS}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# --- end background jobs ---

# --- response headers (SecurityMiddleware, django-csp, django-permissions-policy) ---
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # links out to arXiv, GitHub, ... carry no referrer
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# The same enforcing policy in development, tests and production, so the browser tests catch a
# violation: no inline script or style anywhere (static files only; htmx's own inline style and
# eval are off in base.html's htmx-config), images from the site, data: URLs and the avatar hosts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *config.get("PAPERFEED_CSP_IMG_HOSTS").split()],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# powerful browser features no page of paperfeed uses, refused to the page and any frame in it
# (only names Chromium knows: it logs an error for each other one)
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture",
        "geolocation", "gyroscope", "hid", "idle-detection", "local-fonts", "magnetometer",
        "microphone", "midi", "payment", "screen-wake-lock", "serial", "usb",
        "xr-spatial-tracking",
    )
}  # fmt: skip
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = config.get_bool("PAPERFEED_SSL_REDIRECT")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]  # probes, scrapers: HTTP
    SECURE_HSTS_SECONDS = round(config.get_number("PAPERFEED_HSTS_SECONDS"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = config.get_bool("PAPERFEED_HSTS_INCLUDE_SUBDOMAINS")
    SECURE_HSTS_PRELOAD = config.get_bool("PAPERFEED_HSTS_PRELOAD")
    # `check --deploy` asks for includeSubDomains and preload: both bind more than this site
    # (every subdomain; browsers' built-in lists), so they are the operator's opt-in, not a warning
    SILENCED_SYSTEM_CHECKS = [
        check
        for check, on in (
            ("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
            ("security.W021", SECURE_HSTS_PRELOAD),
        )
        if not on
    ]
# --- end response headers ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "paperfeed.ops.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "paperfeed.ops.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "json": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {  # one JSON line per request (ops.middleware), only with PAPERFEED_LOG_REQUESTS=1
        "paperfeed.request": {
            "handlers": ["json"],
            "level": "INFO" if config.get_bool("PAPERFEED_LOG_REQUESTS") else "WARNING",
            "propagate": False,
        },
        "paperfeed.ops": {"handlers": ["json"], "level": "WARNING", "propagate": False},
    },
}

# paperfeed's own settings (see paperfeed.config for help text)
PAPERFEED_EMBEDDING_MODEL = config.get("PAPERFEED_EMBEDDING_MODEL")
PAPERFEED_RERANK_MODEL = config.get("PAPERFEED_RERANK_MODEL")
PAPERFEED_RERANK_DEPTH = int(config.get_number("PAPERFEED_RERANK_DEPTH"))
PAPERFEED_ARXIV_OAI_URL = config.get("PAPERFEED_ARXIV_OAI_URL")
PAPERFEED_ARXIV_API_URL = config.get("PAPERFEED_ARXIV_API_URL")
PAPERFEED_HARVEST_DELAY = config.get_number("PAPERFEED_HARVEST_DELAY")
PAPERFEED_CONTACT_EMAIL = config.get("PAPERFEED_CONTACT_EMAIL")
PAPERFEED_INDEX_CATCHUP_SECONDS = config.get_number("PAPERFEED_INDEX_CATCHUP_SECONDS")
# who gets /metrics and /readyz's detail (paperfeed.ops.access)
PAPERFEED_OPS_NETWORKS = config.address_networks("PAPERFEED_OPS_NETWORKS")
PAPERFEED_OPS_TOKEN = config.ops_token()

"""Browser tests: real Chromium (Debian's /usr/bin/chromium) driven by Playwright's sync API
against pytest-django's ``live_server``.

Every test gets a fresh database (the live server needs transactional access), a fresh browser
context (no cookies, no localStorage), a cleared cache (allauth's rate limits count there) and
a few papers listed today. Chromium and Playwright are started once for the package and stopped
after its last test: Playwright's sync API keeps an event loop marked running on this thread
while it is started, which is also why Django's async-safety check is lifted here, for this
package only.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from paperfeed.ingest.records import AuthorRecord, PaperRecord
from paperfeed.ingest.upsert import ingest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery-staple-42"
TIMEOUT_MS = 10_000
DEVICES = {  # the widths every page is judged at: a desktop and a phone
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
SCREENSHOTS = "PAPERFEED_SCREENSHOTS"
# whitenoise warns once per app instance when STATIC_ROOT is missing (collectstatic never ran)
Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

PAPERS = [
    {
        "arxiv_id": "2501.10001",
        "title": "Sparse attention for very long documents",
        "abstract": "We make attention sparse so that transformers read whole books.",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "categories": ("cs.CL", "cs.LG"),
    },
    {
        "arxiv_id": "2501.10002",
        "title": "Quantum error correction with $O(n^2)$ overhead",
        "abstract": "Surface codes revisited; the decoder runs in linear time.",
        "authors": ("Grace Hopper",),
        "categories": ("quant-ph",),
    },
    {
        "arxiv_id": "2501.10003",
        "title": "Photosynthetic efficiency in marine diatoms",
        "abstract": "Diatoms fix carbon; a field study over three summers. "
        + "Unbreakable-identifier-" * 6,
        "authors": ("Barbara McClintock", "Rosalind Franklin", "Dorothy Hodgkin"),
        "categories": ("q-bio.PE",),
    },
]


def _browser_or_skip():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent (install Debian's chromium for the browser tests)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    return sync_api


@pytest.fixture(scope="package")
def browser():
    sync_api = _browser_or_skip()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            new_context = chromium.new_context

            def watched_context(**options):
                ctx = new_context(**options)
                BrowserReports.current.watch(ctx)
                return ctx

            patch.setattr(chromium, "new_context", watched_context)
            yield chromium
            chromium.close()


class BrowserReports:
    """What Chromium reported in every context a test opened: Content-Security-Policy
    violations (the ``securitypolicyviolation`` event, installed before any script of a page
    runs, and the console), Permissions-Policy errors and uncaught JavaScript errors. Any of
    them fails the test (``_no_browser_reports``)."""

    current: BrowserReports
    LISTENER = """
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__cspViolation(
        `${e.effectiveDirective} refused ${e.blockedURI || "(inline)"} at ${e.sourceFile}:${e.lineNumber}`
      );
    }, true);
    """
    CONSOLE = re.compile(r"Content.Security.Policy|Permissions.Policy|Refused to", re.I)

    def __init__(self):
        self.problems: list[str] = []

    def watch(self, context) -> None:
        context.expose_binding("__cspViolation", lambda _source, text: self.problems.append(text))
        context.add_init_script(self.LISTENER)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.problems.append(f"error: {error.error}"))

    def _console(self, message) -> None:
        if message.type in ("error", "warning") and self.CONSOLE.search(message.text):
            self.problems.append(f"console: {message.text}")


BrowserReports.current = BrowserReports()


@pytest.fixture(autouse=True)
def _no_browser_reports():
    BrowserReports.current = reports = BrowserReports()
    yield reports
    assert reports.problems == [], "the browser reported:\n" + "\n".join(reports.problems)


@pytest.fixture
def context(browser):
    """A fresh browser profile in light colour scheme, desktop size."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def e2e_settings(settings, data_home):
    """No model download, no arXiv: hashing vectors, a port nothing listens on."""
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    settings.PAPERFEED_ARXIV_API_URL = "http://127.0.0.1:9/never"
    settings.PAPERFEED_HARVEST_DELAY = 0
    return settings


def paper_record(arxiv_id, title, abstract, authors, categories, day) -> PaperRecord:
    return PaperRecord(
        arxiv_id=arxiv_id,
        title_raw=title,
        source="jsonl",
        abstract_raw=abstract,
        authors=[AuthorRecord(name) for name in authors],
        categories=list(categories),
        listed=day,
        published=day,
    )


@pytest.fixture
def papers(live_server, e2e_settings):
    """Three papers listed today (through the real upsert) and a fresh lexical index."""
    from paperfeed.search.sync import rebuild_indexes

    today = timezone.now().date()
    summary = ingest([paper_record(**fields, day=today) for fields in PAPERS])
    assert summary.rejected == 0, summary.rejects
    rebuild_indexes(progress=False)
    return PAPERS


def make_user(username: str):
    from allauth.account.models import EmailAddress

    email = f"{username}@example.org"
    user = get_user_model().objects.create_user(username, email, PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def logged_in(context, live_server, papers):
    """A verified user whose session cookie is in the browser context."""
    user = make_user("erin")
    client = Client()
    client.force_login(user)
    host = live_server.url.split("://", 1)[1].split(":")[0]
    context.add_cookies(
        [
            {
                "name": client.cookies["sessionid"].key,
                "value": client.cookies["sessionid"].value,
                "domain": host,
                "path": "/",
            }
        ]
    )
    return user


def drain_tasks() -> None:
    """Run every queued background task now, as ``paperfeed worker --drain`` does."""
    call_command("worker", "--drain", "--no-fetch", "--no-embed", stdout=io.StringIO())


def shoot(page, name: str, *, full_page: bool = False) -> None:
    """A screenshot ``name``.png into the folder ``PAPERFEED_SCREENSHOTS`` names (none without)."""
    folder = os.environ.get(SCREENSHOTS)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)


def no_sideways_scroll(page) -> None:
    scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll[0] <= scroll[1], f"{page.url} scrolls sideways: {scroll}"

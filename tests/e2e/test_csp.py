"""The Content-Security-Policy in real Chromium: every page is served with the strict policy (no
inline script or style), and visiting the main pages and using what runs on them -- the theme
toggle, htmx votes, dismissals, live search and comments, the paper page's math and "Copy
BibTeX", the login form, API tokens, Swagger UI at /api/docs, the staff digest preview -- makes
the browser report no violation at all (nor a Permissions-Policy or JavaScript error).

The browser's own report is the judge (conftest's BrowserReports, which every e2e test is held
to): a ``securitypolicyviolation`` listener installed before any script of the page runs, and the
console, where Chromium writes each refusal.
"""

from __future__ import annotations

import re

import pytest

from paperfeed.community.models import Vote
from paperfeed.digests.models import Subscriber
from paperfeed.personal.models import Seen

from .conftest import PASSWORD, make_user

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

STRICT = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'")


class Watch:
    """Each document's Content-Security-Policy header in a context, and what the browser
    reported there (conftest's BrowserReports: violations, Permissions-Policy and script errors;
    any of them fails every e2e test, and here the test itself, at ``assert_clean``)."""

    def __init__(self, context, reports):
        self.reports = reports
        self.policies: dict[str, str | None] = {}
        context.on("response", self._response)

    def _response(self, response) -> None:
        if response.request.resource_type == "document":
            self.policies[response.url] = response.headers.get("content-security-policy")

    def assert_clean(self) -> None:
        assert self.reports.problems == [], "\n".join(self.reports.problems)
        assert self.policies, "no page was loaded"
        for url, policy in self.policies.items():
            assert policy is not None, f"{url} was served without a Content-Security-Policy"
            for directive in STRICT:
                assert directive in policy.split("; "), f"{url}: {directive!r} not in {policy!r}"
            assert "unsafe-eval" not in policy and "unsafe-inline" not in policy, (url, policy)


def directives(policy: str) -> dict[str, str]:
    return dict(d.split(" ", 1) for d in policy.split("; "))


@pytest.fixture
def watch(context, _no_browser_reports):
    return Watch(context, _no_browser_reports)


def test_anonymous_pages_theme_toggle_and_live_search(page, live_server, papers, watch):
    page.goto(live_server.url + "/")
    expect(page.locator(".card")).to_have_count(len(papers))
    toggle = page.get_by_role("button", name="Switch between light and dark theme")
    expect(toggle).to_have_attribute("aria-pressed", "false")  # theme.js ran
    toggle.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.goto(live_server.url + "/trending")  # theme-init.js applies the choice before paint
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(20, 22, 26)"

    page.goto(live_server.url + "/papers/2501.10002")  # a title with $O(n^2)$
    expect(page.locator("h1 math")).to_have_count(1)  # MathML, rendered without script
    expect(page.get_by_role("button", name="Copy BibTeX")).to_be_visible()  # paper.js ran

    page.goto(live_server.url + "/search")
    page.locator("#q").fill("diatoms")  # htmx searches as one types: no submit, no reload
    page.evaluate("window.__same_document = true")
    expect(page.locator("#results .card").first).to_contain_text("marine diatoms")
    assert page.evaluate("window.__same_document === true")

    page.goto(live_server.url + "/accounts/login/")
    field = page.locator("form.account-form input[name=login]")
    expect(field).to_be_visible()
    # the layout's styles (once an inline <style>) come from style.css
    assert field.evaluate("e => getComputedStyle(e).boxSizing") == "border-box"
    for path in ("/about", "/subscribe", "/accounts/signup/", "/admin/login/"):
        page.goto(live_server.url + path)
    watch.assert_clean()


def test_api_docs_swagger_ui_runs_under_the_policy(page, live_server, watch):
    page.goto(live_server.url + "/api/docs")
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("paperfeed API")
    operation = page.locator("#swagger-ui .opblock", has_text="/api/daily_papers").first
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()  # a fetch from the page: connect-src
    expect(operation.locator(".live-responses-table td.response-col_status").last).to_have_text(
        "200"
    )
    watch.assert_clean()


def test_signed_in_pages_and_htmx_actions(page, live_server, logged_in, watch):
    page.goto(live_server.url + "/")
    card = page.locator("#paper-250110002")
    page.evaluate("window.__same_document = true")
    card.locator("button.vote-button").click()  # htmx post, swapped in place
    expect(card.locator("button.vote-button")).to_have_attribute("aria-pressed", "true")
    card.get_by_role("button", name="Dismiss “Quantum error correction").click()
    expect(card).to_have_class("card seen")
    assert page.evaluate("window.__same_document === true")
    assert Vote.objects.filter(user=logged_in).count() == 1 and Seen.objects.count() == 1

    page.goto(live_server.url + "/papers/2501.10001")
    page.get_by_label(re.compile(r"^Add a comment")).fill("Inline math $x^2$ and **bold**.")
    page.get_by_role("button", name="Post comment").click()  # htmx
    expect(page.locator("#comments .comment-body strong")).to_have_text("bold")

    page.goto(live_server.url + "/accounts/tokens")
    page.get_by_label("Name (what it is for)").fill("notebook")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token")
    token.focus()  # select-on-focus.js selects it for copying
    assert token.evaluate("e => e.selectionEnd - e.selectionStart") == len(token.input_value())

    for path in ("/settings/", "/follows", "/settings/mutes", "/accounts/email/", "/for-you"):
        page.goto(live_server.url + path)
    watch.assert_clean()


def test_staff_pages_admin_and_digest_preview(page, live_server, logged_in, watch):
    logged_in.is_staff = logged_in.is_superuser = True
    logged_in.save()
    subscriber = Subscriber.objects.create(email="ada@example.org", status="active")
    url = live_server.url + f"/digests/preview/{subscriber.pk}"
    page.goto(url)
    expect(page.locator("body")).to_contain_text("paperfeed")
    assert page.locator("[style]").count() > 0  # the mail's CSS, inlined into attributes
    for path in (
        "/admin/",
        "/admin/digests/subscriber/",
        f"/admin/auth/user/{logged_in.pk}/change/",
    ):
        page.goto(live_server.url + path)
    # the one relaxation, on this staff page only: style attributes, never script
    policy = directives(watch.policies.pop(url))
    assert policy.pop("style-src-attr") == "'unsafe-inline'"
    assert directives(watch.policies[live_server.url + "/admin/"]) == policy
    watch.assert_clean()


def test_login_by_form_under_the_policy(page, live_server, papers, watch):
    make_user("gale")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "gale")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.account-form button[type=submit]").click()
    expect(page.locator(".account")).to_contain_text("gale")
    watch.assert_clean()

"""Organisations in real Chromium: create one on /orgs/new, attach a paper from its page with
"Add to my organisation", see the organisation's badge on the paper's card on the home page,
and the organisation's page listing the paper and following it (under the page's strict CSP)."""

from __future__ import annotations

import pytest

from paperfeed.orgs.models import Organisation, OrgPaper
from paperfeed.personal.models import Follow

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def test_create_attach_badge_and_follow(page, live_server, logged_in):
    page.goto(live_server.url + "/orgs/new")
    page.get_by_label("Name").fill("Ada Lab")
    page.get_by_label("Address").fill("ada-lab")
    page.get_by_label("Description").fill("We read about error correction.")
    page.get_by_role("button", name="Create organisation").click()
    expect(page.locator("h1")).to_have_text("Ada Lab")
    assert Organisation.objects.get().slug == "ada-lab"

    page.goto(live_server.url + "/papers/2501.10002")
    page.get_by_role("button", name="Add to my organisation").click()
    expect(page.get_by_text("Added to Ada Lab.")).to_be_visible()
    expect(page.locator(".paper-orgs a.badge.org")).to_have_text("Ada Lab")
    assert OrgPaper.objects.get().paper_id == "2501.10002"

    page.goto(live_server.url + "/")
    badge = page.locator("#paper-250110002 .badges a.badge.org")
    expect(badge).to_have_text("Ada Lab")
    badge.click()
    expect(page.locator("h1")).to_have_text("Ada Lab")
    expect(page.locator(".cards #paper-250110002")).to_be_visible()
    page.get_by_role("button", name="Follow Ada Lab").click()
    expect(page.get_by_role("link", name="✓ Following")).to_be_visible()
    follow = Follow.objects.get(user=logged_in)
    assert (follow.kind, follow.value) == ("org", "ada-lab")

    page.goto(live_server.url + "/orgs/ada-lab/members")  # its forms pass the CSP too
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()

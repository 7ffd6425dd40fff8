"""Claiming an author in real Chromium: "This is me" on a paper page, the claim form, a moderator
approves in the admin, and the author's name then links to the profile, which lists the papers."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from paperfeed.claims.models import Claim

from .conftest import PASSWORD, make_user
from .test_mutes import sign_in

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def test_claim_approved_in_the_admin_links_the_author_to_the_profile(page, live_server, papers):
    make_user("alan")
    sign_in(page, live_server, "alan")
    page.goto(live_server.url + "/papers/2501.10001")
    page.locator("summary", has_text="This is me").click()
    page.get_by_role("link", name="I am Alan Turing").click()
    expect(page.locator("h1")).to_have_text("Are you Alan Turing?")
    expect(page.get_by_role("radio", name=re.compile("^Alan Turing"))).to_be_checked()
    page.get_by_label("ORCID iD (optional)").fill("0000-0002-1825-0097")
    page.get_by_label("A note for the moderators (optional)").fill("My thesis work")
    page.get_by_role("button", name="Claim").click()
    expect(page.locator(".messages")).to_contain_text("waits for a moderator")
    expect(page.locator(".claims")).to_contain_text("pending")

    page.context.clear_cookies()
    get_user_model().objects.create_superuser("mod", "mod@example.org", PASSWORD)
    page.goto(live_server.url + "/admin/claims/claim/")
    page.fill("input[name=username]", "mod")
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[type=submit]").click()
    row = page.locator("#result_list tbody tr", has_text="Alan Turing")
    expect(row).to_contain_text("ORCID: True")
    row.locator("input[type=checkbox]").check()
    page.locator("select[name=action]").select_option("approve")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist")).to_contain_text("1 claim(s) approved")
    assert Claim.objects.get().state == "approved"

    page.goto(live_server.url + "/papers/2501.10001")
    page.locator(".authors").get_by_role("link", name="Alan Turing").click()
    page.wait_for_url(re.compile(r"/users/alan$"))
    page.get_by_role("link", name="Papers by alan").click()
    expect(page.locator(".cards")).to_contain_text("Sparse attention for very long documents")

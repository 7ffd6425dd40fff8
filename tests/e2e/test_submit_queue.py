"""Submitting a paper that is not stored, in real Chromium: the page answers at once with the
paper "queued — fetching from arXiv" (no request to arXiv yet), and once ``paperfeed worker
--drain`` has fetched it from a local arXiv the list item turns into the paper's link by itself
(htmx polling its status fragment), then stops polling; an id arXiv does not have shows why.
"""

from __future__ import annotations

import pytest

from paperfeed.community.models import Submission
from tests.community.conftest import EMPTY_FEED
from tests.conftest import shared_file
from tests.e2e.conftest import drain_tasks
from tests.ingest.arxiv_server import FakeArxiv, Reply

pytestmark = [pytest.mark.e2e, pytest.mark.network]
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


@pytest.fixture
def arxiv(e2e_settings):
    feed = shared_file("fixtures", "arxiv-api", "query_all-science_10-entries.xml").read_bytes()
    with FakeArxiv() as fake:
        fake.route("/api/query", {}, Reply(body=EMPTY_FEED))
        fake.route("/api/query", {"id_list": "1501.05039"}, Reply(body=feed))
        e2e_settings.PAPERFEED_ARXIV_API_URL = fake.url + "/api/query"
        yield fake


def submit(page, text: str):
    page.get_by_label("arXiv id or URL").fill(text)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state()


def test_submit_queued_then_it_appears(live_server, logged_in, page, arxiv):
    page.goto(live_server.url + "/submit")
    submit(page, "https://arxiv.org/abs/1501.05039")
    submission = Submission.objects.get()
    item = page.locator(f"#submission-{submission.pk}")
    expect(item).to_contain_text("queued — fetching from arXiv")
    assert arxiv.requests == []  # the answer did not wait on arXiv
    drain_tasks()
    expect(item.get_by_role("link", name="Defining Data Science")).to_be_visible()
    expect(item).not_to_have_attribute("hx-get", f"/submit/{submission.pk}/status")
    expect(item).to_have_attribute("data-state", "done")

    submit(page, "2501.99999")
    missing = Submission.objects.get(arxiv_id="2501.99999")
    item = page.locator(f"#submission-{missing.pk}")
    expect(item).to_contain_text("queued — fetching from arXiv")
    drain_tasks()
    expect(item).to_contain_text("not submitted: Sorry, arXiv has no paper 2501.99999.")
    expect(item).to_have_attribute("data-state", "failed")

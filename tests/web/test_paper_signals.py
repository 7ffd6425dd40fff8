"""The paper page's signals: every link, the repositories with their facts, both labelled
summaries and keywords, venue and citations, versions with their dates, the BibTeX entry and
its copy button, all in a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

import pytest

from paperfeed.signals import store as signal_store
from paperfeed.signals.models import Repository
from paperfeed.web.paper import versions_of

from .conftest import comment, make_user, record, store

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 12)
PUSHED = dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def paper():
    (stored,) = store(
        record(
            DAY,
            arxiv_id="2606.13681",
            title="EvoArena: memory {evolution} at 50%",
            version=3,
            updated=DAY + dt.timedelta(days=5),
            authors=("Zhiyuan Hu", "Ada Lovelace"),
            categories=("cs.CL", "cs.AI"),
            journal_ref="J. Agents 2 (2026)",
            doi="10.1000/evo",
        )
    )
    return stored


@pytest.fixture
def signals(paper):
    signal_store.save_signals(
        {
            paper.pk: {
                "hf_upvotes": 85,
                "hf_day": DAY,
                "hf_submitted_by": "zhiyuanhucs",
                "hf_comments": 2,
                "ai_summary": "EvoArena benchmarks memory evolution.",
                "ai_keywords": ["LLM agents", "memory evolution"],
                "project_page": "https://aiden0526.github.io/EvoArena/",
                "org_name": "MIT",
                "org_fullname": "Massachusetts Institute of Technology",
                "org_avatar": "https://cdn-avatars.huggingface.co/mit.png",
                "s2_id": "f00d",
                "tldr": "Agents forget; EvoMem remembers.",
                "citations": 12,
                "influential_citations": 3,
                "venue": "NeurIPS 2026",
                "open_access_pdf": "https://openreview.net/pdf?id=evo",
            }
        }
    )
    signal_store.link_repositories(
        {
            paper.pk: [
                ("github", "Aiden0526/EvoArena"),
                ("github", "old/abandoned"),
                ("github", "gone/away"),
                ("hf-model", "MIT/evomem-7b"),
                ("hf-dataset", "MIT/evoarena"),
            ]
        },
        "arxiv",
    )
    repos = {r.name: r for r in Repository.objects.all()}
    signal_store.update_repository(
        repos["Aiden0526/EvoArena"], DAY, stars=1234, license="MIT", pushed_at=PUSHED
    )
    signal_store.update_repository(repos["old/abandoned"], DAY, stars=7, archived=True)
    signal_store.update_repository(repos["gone/away"], DAY, status=Repository.GONE)
    return repos


def page(client) -> str:
    response = client.get("/papers/2606.13681")
    assert response.status_code == 200
    return response.content.decode()


def test_every_link(client, signals):
    html = page(client)
    for url in (
        "https://arxiv.org/abs/2606.13681",
        "https://arxiv.org/pdf/2606.13681",
        "https://doi.org/10.1000/evo",
        "https://openreview.net/pdf?id=evo",
        "https://aiden0526.github.io/EvoArena/",
        "https://huggingface.co/papers/2606.13681",
        "https://www.semanticscholar.org/paper/f00d",
        "https://github.com/Aiden0526/EvoArena",
        "https://huggingface.co/MIT/evomem-7b",
        "https://huggingface.co/datasets/MIT/evoarena",
        "https://huggingface.co/MIT",
    ):
        assert f'href="{htmllib.escape(url)}"' in html, url


def test_action_buttons_in_order_with_the_best_code_first(client, signals):
    actions = re.search(r'<div class="paper-actions">(.*?)</div>\s*</header>', page(client), re.S)
    labels = re.findall(r'<a class="button" href="[^"]*">([^<]*)</a>', actions.group(1))
    assert labels == [
        "arXiv page",
        "PDF",
        "Code ★ 1.2k",
        "Project page",
        "Hugging Face",
        "Semantic Scholar",
        "Open-access PDF",
        "DOI 10.1000/evo",
    ]


def test_repositories_with_stars_licence_push_and_badges(client, signals):
    html = page(client)
    section = re.search(r'<section class="code".*?</section>', html, re.S).group(0)
    assert "Code and artifacts" in section
    items = re.findall(r"<li>(.*?)</li>", section, re.S)
    names = [re.search(r">([^<]+)</a>", item).group(1) for item in items]
    # code first, best-starred first, the gone one last among code; then HF artifacts
    assert names == [
        "Aiden0526/EvoArena",
        "old/abandoned",
        "gone/away",
        "MIT/evoarena",
        "MIT/evomem-7b",
    ]
    best = items[0]
    assert "★ 1.2k" in best and "<span>MIT</span>" in best
    assert 'last push <time datetime="2026-06-01">1 Jun 2026</time>' in best
    assert 'class="badge archived"' in items[1] and 'class="badge gone"' in items[2]
    assert "archived" not in best and "gone" not in best
    assert "Hugging Face model" in items[4] and "★" not in items[4]


def test_stars_reported_before_github_was_asked(client, paper):
    signal_store.link_repositories({paper.pk: [("github", "MiniMax-AI/MSA")]}, "hf")
    for day, stars in ((DAY, 145), (DAY + dt.timedelta(days=1), 251)):
        signal_store.reported_stars({("github", "MiniMax-AI/MSA"): stars}, day, "hf")
    item = re.search(r'<ul class="repos">\s*<li>(.*?)</li>', page(client), re.S).group(1)
    assert '<span title="251 stars">★ 251</span>' in item  # HF's latest count


def test_both_summaries_labelled_keywords_venue_citations_hf(client, signals):
    html = page(client)
    assert '<span class="label">AI summary (HF)</span> EvoArena benchmarks' in html
    assert '<span class="label">TL;DR (Semantic Scholar)</span> Agents forget' in html
    assert '<span class="badge">LLM agents</span>' in html
    assert "<dt>Venue</dt><dd>NeurIPS 2026</dd>" in html
    assert "<dt>Citations</dt><dd>12 (3 influential)" in html
    hf = re.search(r"<dt>Hugging Face</dt><dd>(.*?)</dd>", html).group(1)
    assert "▲ 85" in hf and "12 Jun 2026" in hf and "zhiyuanhucs" in hf and "2 comments" in hf


def test_versions_with_the_dates_that_are_stored(client, paper):
    html = page(client)
    versions = re.search(r'<dd class="versions">(.*?)</dd>', html).group(1)
    assert re.findall(r">v(\d)</a>", versions) == ["1", "2", "3"]
    assert "(12 Jun 2026)" in versions and "(17 Jun 2026)" in versions
    assert versions.count("<time") == 2  # v2's date is not stored: none is shown
    assert versions_of("2501.00001", None, DAY, DAY) == []


def test_bibtex_entry_and_copy_button(client, paper):
    html = page(client)
    assert '<button type="button" class="button" data-copy="bibtex" hidden>' in html
    assert re.search(r'<script src="[^"]*/web/paper\.js" defer>', html)
    entry = htmllib.unescape(re.search(r'<pre id="bibtex">(.*?)</pre>', html, re.S).group(1))
    assert entry.startswith("@article{hu2026evoarena,")
    assert "title = {EvoArena: memory {evolution} at 50\\%}" in entry
    assert "author = {Hu, Zhiyuan and Lovelace, Ada}" in entry  # Family, Given: unambiguous
    assert "journal = {J. Agents 2 (2026)}" in entry and "doi = {10.1000/evo}" in entry
    assert "primaryClass = {cs.CL}" in entry and "eprint = {2606.13681}" in entry


def test_without_signals_nothing_is_invented(client, paper):
    html = page(client)
    for absent in ("In short", "Code and", "huggingface.co", "semanticscholar", "Citations"):
        assert absent not in html


def test_paper_page_with_signals_query_count(client, signals, django_assert_max_num_queries):
    """The budget of tests/web/test_paper.py's page plus one query for the repositories (its
    Save button and its local organisations included)."""
    user = make_user("dora")
    for i in range(5):
        top = comment(user, "2606.13681", f"c{i}")
        comment(user, "2606.13681", f"r{i}", parent=top)
    client.force_login(user)
    with django_assert_max_num_queries(14):
        page(client)

"""/ranking: every registered ranking, the Hot formula with the weights in use, where each signal
comes from and which day a paper belongs to; linked from the sort tabs and the About page."""

import html as html_lib
import re

import pytest

from paperfeed import rankings
from paperfeed.papers import days
from paperfeed.rankings import hot

from .conftest import record, store

pytestmark = pytest.mark.django_db


def page(client) -> str:
    response = client.get("/ranking")
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


def test_every_ranking_with_its_label_help_and_surfaces(client):
    text = page(client)
    for ranking in rankings.all_rankings():
        assert f'<dt id="{ranking.name}">{ranking.label} <code>sort={ranking.name}</code>' in text
        assert ranking.help in text
    assert "<strong>Hot</strong> unless you pick another tab" in text


def test_the_hot_formula_shows_the_weights_in_use(client, settings):
    text = page(client)
    assert "points = 3.0 × upvotes + 1.0 × hf_upvotes + 3.0 × log" in text
    row = re.search(r"<tr><td>85 upvotes on Hugging Face</td><td>([\d.]+)</td>", text)
    assert row and row[1] == "85.0"
    assert f"{hot.score(0, 85, None, None, 12):.4f}" in text
    settings.PAPERFEED_HOT_WEIGHTS = {**settings.PAPERFEED_HOT_WEIGHTS, "hf_upvotes": 2.5}
    text = page(client)
    assert "+ 2.5 × hf_upvotes" in text
    assert "<tr><td>85 upvotes on Hugging Face</td><td>212.5</td>" in text


def test_each_signal_and_where_it_comes_from(client):
    text = page(client)
    for name, meaning in rankings.INPUTS.items():
        assert f'<tr id="input-{name}"><td><code>{name}</code></td><td>{meaning}</td>' in text
        assert rankings.ORIGINS[name] in text
    assert set(rankings.ORIGINS) == set(rankings.INPUTS)


def test_which_day_a_paper_belongs_to(client):
    text = page(client)
    assert '<h2 id="day-heading">Which day a paper belongs to</h2>' in text
    assert f"at most {days.STALE_DAYS} days old" in text
    assert f"the last {days.RECENT_DAYS} feed days" in text
    assert f"at least {round(days.NEAR_EMPTY * 100)} %" in text


def test_linked_from_the_sort_tabs_and_the_about_page(client):
    assert 'href="/ranking"' in client.get("/about").content.decode()
    store(record("2025-03-18", arxiv_id="2503.00001"))
    assert 'href="/ranking"' in client.get("/day/2025-03-18").content.decode()

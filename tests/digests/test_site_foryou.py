"""/for-you shows its picks as the day page's cards: LaTeX in titles, abstracts and the reason
("similar to "<liked title>"") as MathML, never raw ``$...$``; the feedback buttons and a bounded
number of queries."""

from __future__ import annotations

import io
import json

import pytest

from paperfeed.community.models import Vote
from paperfeed.ingest.jsonl import parse as parse_jsonl
from paperfeed.ingest.upsert import ingest
from paperfeed.search import embedding_job
from paperfeed.search.encoders import load_encoder
from paperfeed.search.sync import sync_indexes
from tests.community.factories import logged_in, make_user

pytestmark = pytest.mark.django_db
QUERY_BUDGET = 28  # the picks (about 20, none per paper) + 5 for the cards (saved papers, org
# badges, claimed authors included), not 1 per card

GRAPHS = "Graph networks for molecules with $O(n^2)$ message passing over molecule graphs."
PAPERS = [  # id, title, abstract, feed day
    ("2505.00001", r"Graph networks for $\alpha$-molecules", GRAPHS, "2025-05-01"),
    ("2505.00002", r"Molecule graphs with $k$-hop message passing", GRAPHS, "2025-05-02"),
    ("2506.00001", r"Message passing graph networks in $\mathbb{R}^3$", GRAPHS, "2025-06-02"),
    ("2506.00002", r"Neural $\beta$-message passing on molecule graphs", GRAPHS, "2025-06-03"),
]


@pytest.fixture
def fan(settings, data_home):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:256"
    lines = "".join(
        json.dumps(
            {"id": i, "title": t, "abstract": a, "authors": ["Ada Author"],
             "categories": ["cs.LG"], "listed": d}
        ) + "\n"
        for i, t, a, d in PAPERS
    )  # fmt: skip
    ingest(parse_jsonl(io.BytesIO(lines.encode()), "t"))
    embedding_job.embed_missing(load_encoder())
    sync_indexes(progress=False)
    user = make_user()
    for pid in ("2505.00001", "2505.00002"):
        Vote.objects.create(user=user, paper_id=pid)
    return user


def test_latex_renders_as_mathml_in_cards_and_reasons(fan):
    page = logged_in(fan).get("/for-you").content.decode()
    assert "Recommended for you" in page
    assert "<math" in page
    assert "$" not in page  # no raw LaTeX in titles, abstracts or "similar to ..." reasons
    assert 'id="paper-250600002"' in page  # the day page's card
    assert 'href="/authors/' in page and "Ada Author" in page  # the card's author links
    assert 'action="/papers/2506.00002/feedback"' in page  # the buttons stay


def test_page_queries_are_bounded(fan, django_assert_max_num_queries):
    client = logged_in(fan)
    with django_assert_max_num_queries(QUERY_BUDGET):
        assert client.get("/for-you").status_code == 200

"""/similar: more like a paper or a pasted abstract, paged, by relevance or recency, errors."""

import pytest

from tests.search.test_more_like import PAPERS, indexed  # noqa: F401 - the shared index fixture

pytestmark = pytest.mark.django_db


def card_ids(html: str) -> list[str]:
    return [p[0] for p in PAPERS if f'id="paper-{p[0].replace(".", "")}"' in html]


def order_of(html: str) -> list[str]:
    found = [(html.find(f"arXiv:{p[0]}</span>"), p[0]) for p in PAPERS]
    return [pid for pos, pid in sorted(found) if pos >= 0]


def test_the_empty_page_offers_the_form(client):
    html = client.get("/similar").content.decode()
    assert '<textarea id="example-text" name="text"' in html and 'method="get"' in html


def test_more_like_a_paper_leaves_it_out(client, indexed):  # noqa: F811
    response = client.get("/similar", {"paper": "2503.00001"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "which is left out" in html
    shown = order_of(html.split('aria-label="Similar papers"')[1])
    assert "2503.00001" not in shown
    assert set(shown[:4]) == {"2503.00002", "2503.00003", "2503.00004", "2503.00005"}


def test_recency_and_filters(client, indexed, monkeypatch):  # noqa: F811
    from paperfeed.search import more_like

    monkeypatch.setattr(more_like, "RECENCY_FLOOR", 0.5)
    html = client.get("/similar", {"paper": "2503.00001", "sort": "recency"}).content.decode()
    results = html.split('aria-label="Similar papers"')[1]
    assert order_of(results) == ["2503.00002", "2503.00004", "2503.00003", "2503.00005"]
    html = client.get("/similar", {"paper": "2503.00001", "category": "cs.CL"}).content.decode()
    assert set(order_of(html.split('aria-label="Similar papers"')[1])) == {
        "2503.00002",
        "2503.00004",
    }


def test_more_like_a_pasted_abstract(client, indexed):  # noqa: F811
    _, title, abstract, _, _ = PAPERS[2]
    html = client.get("/similar", {"text": f"{title}. {abstract}"}).content.decode()
    shown = order_of(html.split('aria-label="Similar papers"')[1])
    assert "2503.00003" not in shown and len(shown) == len(PAPERS) - 1
    assert abstract in html  # the text stays in the form to edit


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"text": "x " * 1001}, "text: 2,001 characters is longer than the 2,000"),
        ({"text": "two words"}, "text: paste an abstract or a few sentences"),
        ({"paper": "hello"}, "paper:"),
        ({"paper": "2503.00001", "text": "a b c d"}, "paper: give either paper or text"),
        ({"paper": "2503.00001", "sort": "newest"}, "sort:"),
        ({"paper": "2503.00001", "page": "6"}, "page:"),
    ],
)
def test_bad_input_is_a_400_naming_it(client, query, message):
    response = client.get("/similar", query)
    assert response.status_code == 400 and message in response.content.decode()


def test_an_unknown_paper_is_a_404(client):
    assert client.get("/similar", {"paper": "2501.99999"}).status_code == 404

"""The paper page: fields, links, redirects, 404s, escaping, comments, similar papers, queries."""

import datetime as dt

import pytest

from paperfeed.search import Hit, SearchResult, more_like

from .conftest import XSS_ABSTRACT, XSS_TITLE, comment, make_user, record, store, submit

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 3, 18)


@pytest.fixture
def paper():
    (stored,) = store(
        record(
            DAY,
            arxiv_id="2503.01234",
            title=r"Attention with $\mathcal{O}(n)$ memory",
            abstract="First paragraph about $x^2$.\n\nSecond paragraph.",
            version=3,
            authors=("Grace Hopper", "Edsger Dijkstra"),
            categories=("cs.LG", "cs.CL"),
            doi="10.1000/xyz",
            journal_ref="J. Tests 1 (2025)",
            comment="12 pages",
        )
    )
    return stored


def test_paper_page_shows_everything(client, paper, alice):
    submit(alice, paper.pk)
    html = client.get("/papers/2503.01234").content.decode()
    assert "<math" in html and "Second paragraph." in html
    assert html.count('<p class="abstract">') == 2
    assert 'href="/authors/' in html and "Grace Hopper" in html and "Edsger Dijkstra" in html
    assert html.index("Grace Hopper") < html.index("Edsger Dijkstra")
    assert 'href="/categories/cs.LG"' in html and 'href="/categories/cs.CL"' in html
    assert 'href="https://arxiv.org/abs/2503.01234"' in html
    assert 'href="https://arxiv.org/pdf/2503.01234"' in html
    assert 'href="https://doi.org/10.1000/xyz"' in html
    assert "J. Tests 1 (2025)" in html and "12 pages" in html
    assert 'href="https://arxiv.org/abs/2503.01234v3"' in html
    assert 'href="/day/2025-03-18"' in html and 'href="/users/alice"' in html


def test_old_style_id_with_slash(client):
    store(record(DAY, arxiv_id="cs/9809007", title="An old paper"))
    response = client.get("/papers/cs/9809007")
    assert response.status_code == 200 and "An old paper" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/papers/2503.01234v2",
        "/papers/arXiv:2503.01234",
        "/papers/https://arxiv.org/abs/2503.01234v1",
        "/papers/https:/arxiv.org/abs/2503.01234",
    ],
)
def test_versioned_and_url_forms_redirect_to_the_canonical_id(client, paper, path):
    response = client.get(path)
    assert response.status_code == 301 and response["Location"] == "/papers/2503.01234"


def test_unknown_and_invalid_ids_are_friendly_404s(client):
    response = client.get("/papers/2503.99999")
    assert (
        response.status_code == 404 and "No paper 2503.99999 here yet." in response.content.decode()
    )
    response = client.get("/papers/<script>x")
    assert response.status_code == 404
    assert "&lt;script&gt;x" in response.content.decode()
    assert "<script>x" not in response.content.decode()


def test_deleted_paper_is_404(client, paper):
    type(paper).objects.filter(pk=paper.pk).update(deleted=True)
    assert client.get("/papers/2503.01234").status_code == 404


def test_title_and_abstract_markup_render_as_text(client):
    store(record(DAY, arxiv_id="2503.00666", title=XSS_TITLE, abstract=XSS_ABSTRACT))
    html = client.get("/papers/2503.00666").content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;a&quot;)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in html


def test_comments_are_shown_threaded_without_hidden_ones(client, paper, alice, bob):
    top = comment(alice, paper.pk, "Top level remark")
    comment(bob, paper.pk, "A reply", parent=top)
    comment(bob, paper.pk, "Spam", hidden=True)
    html = client.get("/papers/2503.01234").content.decode()
    assert "Top level remark" in html and "A reply" in html and "Spam" not in html


def test_similar_section_hidden_without_vectors(client, paper):
    html = client.get("/papers/2503.01234").content.decode()
    assert "Similar papers" not in html


def test_similar_section_lists_neighbours(client, paper, monkeypatch):
    store(record(DAY, arxiv_id="2503.00777", title="A close cousin"))
    asked = []

    def like_paper(pid, *, sort, limit):
        asked.append(sort)
        return SearchResult([Hit("2503.00777", 0.9), Hit("2503.99999", 0.8)], 2, "semantic")

    monkeypatch.setattr(more_like, "like_paper", like_paper)
    html = client.get("/papers/2503.01234").content.decode()
    assert "Similar papers" in html and "A close cousin" in html
    assert 'href="/similar?paper=2503.01234"' in html  # "More like this" and "All similar"
    assert 'aria-current="true">Most similar<' in html
    html = client.get("/papers/2503.01234", {"similar": "recency"}).content.decode()
    assert 'aria-current="true">Newest<' in html
    assert 'href="/similar?paper=2503.01234&amp;sort=recency"' in html
    assert client.get("/papers/2503.01234", {"similar": "bogus"}).status_code == 200
    assert asked == ["relevance", "recency", "relevance"]


def test_similar_failure_only_hides_the_section(client, paper, monkeypatch):
    def broken(pid, **kwargs):
        raise OSError("index file unreadable")

    monkeypatch.setattr(more_like, "like_paper", broken)
    response = client.get("/papers/2503.01234")
    assert response.status_code == 200 and "Similar papers" not in response.content.decode()


def test_paper_page_query_count(client, paper, django_assert_max_num_queries):
    user = make_user("dora")
    for i in range(5):
        top = comment(user, paper.pk, f"c{i}")
        comment(user, paper.pk, f"r{i}", parent=top)
    client.force_login(user)
    # + whether she saved the paper (library_save's Save button)
    # + the paper's local organisations and hers (orgs_tags' "Add to my organisation")
    with django_assert_max_num_queries(13):
        response = client.get("/papers/2503.01234")
    assert response.status_code == 200

"""GET /api/v1/papers/{id}/similar (sort, paging, filters) and GET /api/v1/similar?text=."""

import pytest

from tests.search.test_more_like import PAPERS, indexed  # noqa: F401 - the shared index fixture

pytestmark = pytest.mark.django_db


def ids(body) -> list[str]:
    return [item["paper"]["id"] for item in body["items"]]


def test_similar_pages_and_sorts(client, indexed, monkeypatch):  # noqa: F811
    from paperfeed.search import more_like

    monkeypatch.setattr(more_like, "RECENCY_FLOOR", 0.5)
    url = "/api/v1/papers/2503.00001/similar"
    whole = client.get(url, {"limit": 50}).json()
    assert whole["total"] == len(PAPERS) - 1 and not whole["has_next"]
    assert "2503.00001" not in ids(whole)
    first = client.get(url, {"limit": 2}).json()
    second = client.get(url, {"limit": 2, "offset": 2}).json()
    assert first["has_next"] and ids(first) + ids(second) == ids(whole)[:4]
    recent = client.get(url, {"sort": "recency"}).json()
    assert recent["sort"] == "recency"
    assert ids(recent) == ["2503.00002", "2503.00004", "2503.00003", "2503.00005"]
    cl = client.get(url, {"category": "cs.CL", "since": "2025-05-01"}).json()
    assert set(ids(cl)) == {"2503.00002", "2503.00004"}


def test_similar_to_text(client, indexed):  # noqa: F811
    _, title, abstract, _, _ = PAPERS[2]
    body = client.get("/api/v1/similar", {"text": f" {title}. {abstract} "}).json()
    assert body["text"] == f"{title}. {abstract}" and "2503.00003" not in ids(body)
    assert body["total"] == len(PAPERS) - 1


@pytest.mark.parametrize(
    ("url", "query", "name"),
    [
        ("/api/v1/similar", {"text": "x" * 2001}, "text"),
        ("/api/v1/similar", {}, "text"),
        ("/api/v1/papers/2503.00001/similar", {"sort": "newest"}, "sort"),
        ("/api/v1/papers/2503.00001/similar", {"offset": 101}, "offset"),
        ("/api/v1/papers/2503.00001/similar", {"category": "cs CL"}, "category"),
        (
            "/api/v1/similar",
            {"text": "a b c", "since": "2025-06-01", "until": "2025-01-01"},
            "until",
        ),
    ],
)
def test_bad_parameters_are_400_naming_them(client, url, query, name, data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    from tests.web.conftest import record, store

    store(record("2025-03-18", arxiv_id="2503.00001"))
    response = client.get(url, query)
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith(f"{name}:")

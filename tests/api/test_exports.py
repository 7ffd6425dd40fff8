"""GET /api/v1/papers/{id}/export and /api/v1/search/export: the files, their types, errors,
and the OpenAPI document describing them."""

from __future__ import annotations

import json

import bibtexparser
import pytest
import rispy

from paperfeed.search.sync import rebuild_indexes

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(papers, data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"  # no vectors: hybrid answers lexically
    rebuild_indexes(progress=False)
    return papers


def test_a_paper_in_each_format(client, papers):
    bib = client.get("/api/v1/papers/2503.00001/export")
    assert bib.status_code == 200 and bib["Content-Type"] == "application/x-bibtex; charset=utf-8"
    (entry,) = bibtexparser.loads(bib.content.decode()).entries
    assert entry["eprint"] == "2503.00001" and entry["author"] == "Lovelace, Ada and Turing, Alan"
    ris = client.get("/api/v1/papers/2503.00001/export", {"format": "ris"})
    assert rispy.loads(ris.content.decode())[0]["title"].startswith("KV Cache")
    csl = client.get("/api/v1/papers/2503.00001/export", {"format": "csl-json"})
    assert json.loads(csl.content)[0]["id"] == "lovelace2025kv"
    md = client.get("/api/v1/papers/2503.00001/export", {"format": "markdown"})
    assert md["Content-Type"] == "text/markdown; charset=utf-8"
    assert md.content.decode().startswith("# KV Cache Compression")


def test_paper_export_errors_are_json(client, papers):
    bad = client.get("/api/v1/papers/2503.00001/export", {"format": "docx"})
    assert bad.status_code == 400 and bad.json()["detail"].startswith("format:")
    assert client.get("/api/v1/papers/2503.99999/export").status_code == 404
    assert client.get("/api/v1/papers/nonsense/export").status_code == 400


def test_search_export_takes_the_search_parameters(client, indexed):
    response = client.get(
        "/api/v1/search/export", {"q": "cache", "format": "csl-json", "category": "cs.IR"}
    )
    assert response.status_code == 200, response.content
    assert [i["number"] for i in json.loads(response.content)] == ["arXiv:2503.00002"]
    every = client.get("/api/v1/search/export", {"q": "cache", "limit": 1})
    assert len(bibtexparser.loads(every.content.decode()).entries) == 1


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"q": " "}, "q:"),
        ({"q": "x", "limit": 201}, "limit:"),
        ({"q": "x", "sort": "for_you"}, "sort:"),
        ({"q": "x", "until": "2025-13-01"}, "until:"),
    ],
)
def test_search_export_names_a_bad_parameter(client, indexed, query, named):
    response = client.get("/api/v1/search/export", query)
    assert response.status_code == 400 and response.json()["detail"].startswith(named)


def test_openapi_documents_the_file_answers(client):
    spec = client.get("/api/openapi.json").json()
    for route in ("/api/v1/papers/{paper_id}/export", "/api/v1/search/export"):
        content = spec["paths"][route]["get"]["responses"]["200"]["content"]
        assert set(content) == {
            "application/x-bibtex",
            "application/x-research-info-systems",
            "application/vnd.citationstyles.csl+json",
            "text/markdown",
        }

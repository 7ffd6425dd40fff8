"""The export pages: /papers/{id}.bib|.ris|.csl.json|.md, /search/export, and their links on
the paper page and the search results."""

from __future__ import annotations

import json
import re
from html import unescape

import bibtexparser
import pytest
import rispy

from paperfeed.papers.models import Paper
from paperfeed.search.sync import sync_indexes
from tests.web.conftest import record, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def papers(db):
    return store(
        record(
            "2025-03-18",
            arxiv_id="2503.00001",
            title="Compressing the KV cache of Schrödinger transformers",
            authors=("Johannes Diderik van der Waals",),
            categories=("cs.CL",),
        ),
        record(
            "1999-01-04",
            arxiv_id="hep-th/9901001",
            title="Strings and the KV cache",
            authors=("Ada Lovelace",),
            categories=("hep-th",),
        ),
    )


@pytest.fixture
def indexed(papers, data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"  # no model download, no vectors: lexical
    sync_indexes(progress=False)
    return papers


@pytest.mark.parametrize("paper_id", ["2503.00001", "hep-th/9901001"])
def test_each_format_of_a_paper(client, papers, paper_id):
    stem = paper_id.replace("/", "_")
    bib = client.get(f"/papers/{paper_id}.bib")
    assert bib.status_code == 200 and bib["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert bib["Content-Disposition"] == f'attachment; filename="{stem}.bib"'
    (entry,) = bibtexparser.loads(bib.content.decode()).entries
    assert entry["eprint"] == paper_id
    ris = client.get(f"/papers/{paper_id}.ris")
    assert ris["Content-Type"].startswith("application/x-research-info-systems")
    assert rispy.loads(ris.content.decode())[0]["accession_number"] == f"arXiv:{paper_id}"
    csl = client.get(f"/papers/{paper_id}.csl.json")
    assert csl["Content-Disposition"] == f'attachment; filename="{stem}.csl.json"'
    assert json.loads(csl.content)[0]["number"] == f"arXiv:{paper_id}"
    md = client.get(f"/papers/{paper_id}.md")
    assert md["Content-Type"] == "text/markdown; charset=utf-8"
    assert md["Content-Disposition"] == f'inline; filename="{stem}.md"'
    assert md.content.decode().startswith("# ")


def test_unicode_survives_the_response(client, papers):
    text = client.get("/papers/2503.00001.md").content.decode("utf-8")
    assert "# Compressing the KV cache of Schrödinger transformers" in text
    entry = bibtexparser.loads(client.get("/papers/2503.00001.bib").content.decode()).entries[0]
    assert entry["author"] == "van der Waals, Johannes Diderik"


def test_a_versioned_id_is_exported_and_bad_ids_are_404(client, papers):
    assert client.get("/papers/2503.00001v2.bib").status_code == 200
    assert client.get("/papers/2503.99999.bib").status_code == 404
    assert client.get("/papers/not-an-id.md").status_code == 404
    Paper.objects.filter(pk="2503.00001").update(hidden=True)
    assert client.get("/papers/2503.00001.ris").status_code == 404


def test_the_paper_page_still_answers_and_links_its_exports(client, papers):
    for paper_id in ("2503.00001", "hep-th/9901001"):
        html = client.get(f"/papers/{paper_id}").content.decode()
        for ext in ("bib", "ris", "csl.json", "md"):
            assert f'href="/papers/{paper_id}.{ext}"' in html
    html = client.get("/papers/2503.00001").content.decode()
    assert "@misc{vanderwaals2025compressing," in unescape(html)  # Copy BibTeX: the same writer


def test_search_export_has_the_results_of_the_page(client, indexed):
    page = client.get("/search", {"q": "kv cache", "category": "hep-th"}).content.decode()
    links = [unescape(h) for h in re.findall(r'href="(/search/export\?[^"]+)"', page)]
    assert len(links) == 4 and all("category=hep-th" in h for h in links)
    ris = [h for h in links if "format=ris" in h][0]
    got = rispy.loads(client.get(ris).content.decode())
    assert [r["accession_number"] for r in got] == ["arXiv:hep-th/9901001"]
    response = client.get("/search/export", {"q": "kv cache", "format": "csl-json"})
    assert response["Content-Disposition"] == 'attachment; filename="paperfeed-search.csl.json"'
    assert {i["number"] for i in json.loads(response.content)} == {
        "arXiv:2503.00001",
        "arXiv:hep-th/9901001",
    }


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"q": ""}, "q:"),
        ({"q": "kv", "format": "docx"}, "format:"),
        ({"q": "kv", "mode": "x"}, "mode:"),
        ({"q": "kv", "since": "yesterday"}, "since:"),
    ],
)
def test_search_export_names_a_bad_parameter(client, indexed, query, named):
    response = client.get("/search/export", query)
    assert response.status_code == 400 and named in response.content.decode()


def test_search_export_before_any_index_is_503(client, papers, data_home):
    assert client.get("/search/export", {"q": "kv"}).status_code == 503

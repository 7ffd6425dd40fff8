"""The API's collection export and import: GET /api/v1/collections/{id}/export, GET
/api/v1/me/library/export and POST /api/v1/collections/{id}/import (JSON text or a multipart
file), with the collection's rights, limits and the import rate limit."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from paperfeed.library import collections as col

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(alice, papers):
    c = col.create(alice, "Reading group")
    col.add(alice, c.pk, "2503.00001")
    col.set_note(alice, c.pk, "2503.00001", "Why: $x^2$")
    col.add(alice, c.pk, "cs/9809007")
    return c


def test_export_a_collection(alice_api, client, group):
    response = alice_api.get(f"/api/v1/collections/{group.pk}/export?format=csl-json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    items = response.json()
    assert [i["number"] for i in items] == ["arXiv:2503.00001", "arXiv:cs/9809007"]
    assert items[0]["note"] == "Why: $x^2$" and "note" not in items[1]
    client.defaults.pop("HTTP_AUTHORIZATION")
    private = client.get(f"/api/v1/collections/{group.pk}/export")
    assert private.status_code == 404 and "no collection" in private.json()["detail"]
    bad = alice_api.get(f"/api/v1/collections/{group.pk}/export?format=doc")
    assert bad.status_code == 400


def test_export_the_callers_library(alice_api, client, group, alice):
    col.save(alice, "2503.00004")
    response = alice_api.get("/api/v1/me/library/export?format=bibtex")
    assert (
        response.status_code == 200 and "paperfeed-library.bib" in (response["Content-Disposition"])
    )
    text = response.content.decode()
    assert text.index("2503.00004") < text.index("2503.00001")
    assert "\\#\\#\\# Reading group" in text  # the note's heading, escaped for BibTeX
    client.defaults.pop("HTTP_AUTHORIZATION")
    assert client.get("/api/v1/me/library/export").status_code == 401


def test_import_json_text(alice_api, group):
    text = "2503.00002\n> new\n2503.00001\n10.9999/none\n"
    response = alice_api.post(
        f"/api/v1/collections/{group.pk}/import", {"text": text}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["summary"] == "1 added, 1 already there, 0 being fetched from arXiv, 1 not found"
    assert body["added"] == ["2503.00002"] and body["kept"] == ["2503.00001"]
    assert body["unmatched"][0]["reason"].startswith("DOI 10.9999/none")
    assert list(group.items.values_list("paper_id", flat=True)) == [
        "2503.00001",
        "cs/9809007",
        "2503.00002",
    ]


def test_import_a_file_queues_the_unknown(alice_api, group, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("refs.ris", b"TY  - GEN\nAN  - arXiv:2501.77777\nER  - \n")
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.post(f"/api/v1/collections/{group.pk}/import", {"file": upload})
    body = response.json()
    assert [q["paper_id"] for q in body["queued"]] == ["2501.77777"] and body["added"] == []
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("import_into_collection")
    assert task.args_kwargs["args"] == [group.pk, group.owner_id, [["2501.77777", ""]]]


def test_import_refusals(alice_api, client, group, bob, monkeypatch):
    url = f"/api/v1/collections/{group.pk}/import"
    broken = alice_api.post(url, {"text": "@misc{a,\n x={"}, content_type="application/json")
    assert broken.status_code == 400 and "entry a" in broken.json()["detail"]
    monkeypatch.setattr(col, "MAX_ITEMS", 2)
    full = alice_api.post(url, {"text": "2503.00003"}, content_type="application/json")
    assert full.status_code == 400 and "the limit is 2" in full.json()["detail"]
    client.defaults.pop("HTTP_AUTHORIZATION")
    client.force_login(bob)
    other = client.post(url, {"text": "2503.00003"}, content_type="application/json")
    assert other.status_code in (403, 404)  # a session needs CSRF; a token call gets 404
    assert group.items.count() == 2


@override_settings(PAPERFEED_LIMIT_IMPORT="1/m/user")
def test_imports_are_rate_limited(alice_api, group):
    url = f"/api/v1/collections/{group.pk}/import"
    ok = alice_api.post(url, {"text": "2503.00003"}, content_type="application/json")
    assert ok.status_code == 200
    refused = alice_api.post(url, {"text": "2503.00004"}, content_type="application/json")
    assert refused.status_code == 429 and "Retry-After" in refused


def test_the_routes_are_documented(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    imported = paths["/api/v1/collections/{collection_id}/import"]["post"]
    assert "multipart/form-data" in imported["requestBody"]["content"]
    exported = paths["/api/v1/collections/{collection_id}/export"]["get"]
    assert "application/x-bibtex" in exported["responses"]["200"]["content"]
    assert paths["/api/v1/me/library/export"]["get"]["security"]

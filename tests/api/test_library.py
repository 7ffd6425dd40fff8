"""POST /api/v1/library/resolve: the preview of an import (nothing stored, nothing queued),
from JSON text or a multipart file; unreadable input 400 naming where; rate-limited."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db
URL = "/api/v1/library/resolve"


def test_text_is_resolved_without_storing_or_queueing(alice_api, papers):
    text = "https://arxiv.org/abs/2503.00001v2\n2501.00042\ndoi:10.9999/none\n"
    response = alice_api.post(URL, {"text": text}, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(e["source"], e["paper_id"]) for e in body["matched"]] == [("line 1", "2503.00001")]
    assert [e["paper_id"] for e in body["queued"]] == ["2501.00042"]
    assert body["unmatched"][0]["reason"].startswith("DOI 10.9999/none is not on paperfeed")
    assert not DBTaskResult.objects.exists()


def test_a_bibtex_file_upload(alice_api, papers):
    bib = b'@misc{k, title={T}, eprint={2503.00002}, archivePrefix={arXiv}, annote={M\\"{u}de}}'
    upload = SimpleUploadedFile("refs.bib", bib, content_type="application/x-bibtex")
    body = alice_api.post(URL, {"file": upload}).json()
    assert body["matched"][0]["paper_id"] == "2503.00002"
    assert body["matched"][0]["note"] == "Müde" and body["matched"][0]["source"] == "entry k"


@pytest.mark.parametrize(
    ("kwargs", "detail"),
    [
        (
            {"data": {"text": "@article{a,\n title={x"}, "content_type": "application/json"},
            "line 1: entry a cannot be read as BibTeX",
        ),
        ({"data": {"text": 3}, "content_type": "application/json"}, 'send {"text": "..."}'),
        ({"data": "{nope", "content_type": "application/json"}, "not valid JSON"),
        ({"data": {"other": "x"}}, "multipart field 'file'"),
        ({"data": "x", "content_type": "text/plain"}, "send JSON"),
    ],
)
def test_bad_input_is_400_naming_what(alice_api, kwargs, detail):
    response = alice_api.post(URL, **kwargs)
    assert response.status_code == 400 and detail in response.json()["detail"]


def test_anonymous_callers_are_401(client):
    response = client.post(URL, {"text": "2501.00042"}, content_type="application/json")
    assert response.status_code == 401


@override_settings(PAPERFEED_LIMIT_IMPORT="2/m/user")
def test_previews_are_rate_limited(alice_api):
    for _ in range(2):
        ok = alice_api.post(URL, {"text": "2501.00042"}, content_type="application/json")
        assert ok.status_code == 200
    refused = alice_api.post(URL, {"text": "2501.00042"}, content_type="application/json")
    assert refused.status_code == 429 and "library imports" in refused.json()["detail"]
    assert refused["Retry-After"] == "60"


def test_the_route_is_documented(client):
    spec = client.get("/api/openapi.json").json()
    body = spec["paths"][URL]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "multipart/form-data"}

from __future__ import annotations

import pytest

from paperfeed.search import lexical, paths
from tests.ops.conftest import database_down


@pytest.mark.django_db
def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0), database_down():
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_checks_answer_any_host_header(client, data_home):
    assert client.get("/", HTTP_HOST="10.0.0.7").status_code == 400  # ALLOWED_HOSTS still applies
    assert client.get("/healthz", HTTP_HOST="10.0.0.7").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.0.0.7").status_code in {200, 503}
    assert client.head("/healthz", HTTP_HOST="10.0.0.7").status_code == 200


@pytest.mark.django_db
def test_health_checks_are_get_only(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


@pytest.mark.django_db
def test_readyz_ok_with_database_and_lexical_index(client, indexed):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    checks = body["checks"]
    assert checks["database"]["state"] == "ok"
    assert checks["lexical_index"] == {
        "state": "ok",
        "required": True,
        "documents": len(indexed),
        "generation": checks["lexical_index"]["generation"],
    }
    assert checks["lexical_index"]["generation"] >= 1
    assert checks["vectors"] == {"state": "absent", "required": False}


@pytest.mark.django_db
def test_readyz_503_without_a_lexical_index(client, data_home):
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["state"] == "ok"
    assert checks["lexical_index"]["state"] == "absent"
    assert "paperfeed index --rebuild" in checks["lexical_index"]["error"]


@pytest.mark.django_db
def test_readyz_503_when_the_database_is_down(client, indexed):
    with database_down("connection refused on port 5432"):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["state"] == "error"
    assert "connection refused on port 5432" in body["checks"]["database"]["error"]
    assert body["checks"]["lexical_index"]["state"] == "ok"
    assert client.get("/readyz").status_code == 200  # recovers with the database


@pytest.mark.django_db
def test_readyz_reports_a_broken_index_as_error(client, indexed, data_home):
    lexical._open.clear()
    for meta in paths.current_dir(lexical.KIND).glob("meta.json"):
        meta.write_text("not json")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["lexical_index"]["state"] == "error"

"""Schemathesis against /api/openapi.json, in-process over WSGI: no operation answers 5xx.

Every operation of the document (paperfeed's /api/v1/ and the Hugging Face-compatible routes)
gets a small, derandomized Hypothesis budget so CI sees the same cases every run, on SQLite and
on PostgreSQL (``PAPERFEED_TEST_DATABASE_URL``). GET operations run against papers and a
published lexical index; operations that change data run unauthenticated, and must be refused
with a 4xx, and with an API token, where they reach the code that writes. With
``DEBUG_PROPAGATE_EXCEPTIONS`` an exception leaves the WSGI application, so a server error fails
the test with its traceback (and any other 5xx by ``not_a_server_error``).
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from paperfeed.wsgi import application

pytestmark = pytest.mark.django_db

SCHEMA = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def site(site, settings):
    """The ops tests' site; the WSGI handler keeps the test's database connection (as Django's
    test client does), or it would close it, and the test transaction, after a request."""
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True  # a server error raises here, with its traceback
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(db) -> str:
    from django.contrib.auth import get_user_model

    from paperfeed.accounts.tokens import create_token

    user = get_user_model().objects.create_user("fuzzer", "fuzzer@example.org", "a long secret")
    return create_token(user, "schemathesis")


def fuzz(operation, check_response, headers: dict | None = None) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call_and_validate(
            headers=headers, checks=[not_a_server_error], excluded_checks=[]
        )
        check_response(case, response)

    run()


def test_schema_lists_operations():
    methods = {op.method.upper() for op in OPERATIONS}
    assert len(OPERATIONS) >= 10, [op.label for op in OPERATIONS]
    assert {"GET", "POST"} <= methods


@pytest.mark.parametrize(
    "operation", [op for op in OPERATIONS if op.method.upper() == "GET"], ids=lambda op: op.label
)
@pytest.mark.parametrize("who", ["anonymous", "token"])
def test_get_operations_never_fail_on_the_server(site, token, operation, who):
    def check(case, response):
        assert response.status_code < 500, (case.as_curl_command(), response.text[:500])

    fuzz(operation, check, headers={"Authorization": f"Bearer {token}"} if who == "token" else None)


@pytest.mark.parametrize(
    "operation", [op for op in OPERATIONS if op.method.upper() != "GET"], ids=lambda op: op.label
)
def test_unauthenticated_writes_are_refused(site, operation):
    def check(case, response):
        assert 400 <= response.status_code < 500, (
            case.as_curl_command(),
            response.status_code,
            response.text[:500],
        )

    fuzz(operation, check)


@pytest.mark.parametrize(
    "operation", [op for op in OPERATIONS if op.method.upper() != "GET"], ids=lambda op: op.label
)
def test_authenticated_writes_never_fail_on_the_server(site, token, operation):
    def check(case, response):
        assert response.status_code < 500, (case.as_curl_command(), response.text[:500])

    fuzz(operation, check, headers={"Authorization": f"Bearer {token}"})

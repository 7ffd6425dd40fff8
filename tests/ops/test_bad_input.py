"""A corpus of malformed requests: each gets a clear 4xx with a message, never a 500."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db

LONG_ID = "9" * 5000
HUGE = str(10**12)


@pytest.fixture
def alice(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("alice", "alice@example.org", "a long password")


@pytest.fixture
def alice_api(client, alice):
    """The test client sending alice's Bearer token with every request."""
    from paperfeed.accounts.tokens import create_token

    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {create_token(alice, 'bad input')}"
    return client


def message_of(response) -> str:
    """The human-readable reason of an error response: ``detail`` of the API, the page text."""
    body = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        return json.loads(body)["detail"]
    return body


# (url, allowed statuses, a word the message must contain or None)
BAD_GETS = [
    # path traversal and junk in paper ids
    ("/papers/..%2F..%2Fetc%2Fpasswd", {400, 404}, None),
    ("/papers/../../etc/passwd", {400, 404}, None),
    ("/api/papers/%00", {400, 404}, None),
    ("/api/v1/papers/%00", {400, 404}, None),
    ("/api/v1/papers/..%2F..%2Fetc%2Fpasswd", {400, 404}, None),
    (f"/papers/{LONG_ID}", {400, 404}, None),
    (f"/api/v1/papers/{LONG_ID}", {400, 404}, None),
    (f"/api/papers/{LONG_ID}", {400, 404}, None),
    (f"/api/v1/papers/{LONG_ID}/similar", {400, 404}, None),
    # huge, negative and non-numeric page numbers and sizes
    (f"/api/v1/feeds/trending?page={HUGE}", {400}, "page"),
    (f"/api/v1/feeds/daily?date=2025-03-18&page={HUGE}", {400}, "page"),
    ("/api/v1/feeds/daily?date=2025-03-18&page=0", {400}, "page"),
    (f"/api/v1/feeds/weekly?week=2025-W12&page={HUGE}", {400}, "page"),
    (f"/api/v1/feeds/monthly?month=2025-03&page={HUGE}", {400}, "page"),
    (f"/api/v1/users/nobody/upvotes?page={HUGE}", {400, 404}, None),
    ("/api/daily_papers?p=-1", {400}, "p"),
    (f"/api/daily_papers?p={HUGE}", {200, 400}, None),  # HF answers [] past the end
    (f"/api/daily_papers?limit={10**9}", {200}, None),  # a page size is capped, not refused
    (f"/api/v1/search?q=cache&limit={10**9}", {400}, "limit"),
    (f"/api/v1/search?q=cache&offset={10**30}", {400, 422}, "offset"),
    ("/api/v1/search?q=cache&offset=-5", {400}, "offset"),
    ("/api/v1/feeds/trending?page=abc", {400, 422}, "page"),
    (f"/?page={HUGE}", {400}, "page"),
    ("/?page=-1", {400}, "page"),
    ("/trending?page=x", {400}, "page"),
    (f"/search?q=cache&page={HUGE}", {400}, "page"),
    # bad dates and weeks
    ("/api/v1/feeds/daily?date=2025-13-45", {400}, "date"),
    ("/api/v1/feeds/weekly?week=2025-W99", {400}, "week"),
    ("/api/v1/feeds/monthly?month=2025-13", {400}, "month"),
    ("/api/daily_papers?date=2025-13-45", {400}, "date"),
    ("/api/daily_papers?week=2025-W99", {400}, "week"),
    ("/api/v1/search?q=cache&since=2025-02-30", {400}, "since"),
    ("/search?q=cache&since=2025-13-45", {400}, "since"),
    ("/day/2025-13-45", {404}, None),
    ("/week/2025-W99", {404}, None),
    # unknown sort and mode values
    ("/api/v1/feeds/daily?date=2025-03-18&sort=sideways", {400}, "sort"),
    ("/api/daily_papers?sort=sideways", {400}, "sort"),
    ("/api/v1/search?q=cache&mode=telepathy", {400}, "mode"),
    ("/api/v1/search?q=cache&sort=sideways", {400}, "sort"),
    ("/search?q=cache&mode=telepathy", {400}, "mode"),
    ("/trending?sort=sideways", {400}, "sort"),
]


@pytest.mark.parametrize(("url", "statuses", "word"), BAD_GETS, ids=lambda v: str(v)[:60])
def test_malformed_get_is_a_clear_client_error(client, site, url, statuses, word):
    response = client.get(url)
    assert response.status_code in statuses, (url, response.status_code, response.content[:300])
    if response.status_code >= 400:
        message = message_of(response)
        assert message.strip()
        if word is not None:
            assert word in message, (url, message[:300])


# the ends of the calendar (issue 14 item 14): the "next day" after 9999-12-31 was a 500
EXTREME_DATES = [
    ("/day/9999-12-31", {200}, None),  # an empty day, like any day without papers
    ("/month/9999-12", {200}, None),
    ("/week/9999-W52", {404}, None),  # its Sunday would be in the year 10000
    ("/day/0000-01-01", {404}, None),
    ("/week/0000-W01", {404}, None),
    ("/month/0000-01", {404}, None),
    ("/day/0001-01-01", {200}, None),
    ("/api/v1/feeds/daily?date=9999-12-31", {200}, None),
    ("/api/v1/feeds/weekly?week=9999-W52", {400}, "ends after 9999-12-31"),
    ("/api/v1/feeds/monthly?month=9999-12", {200}, None),
    ("/api/v1/feeds/daily?date=0000-01-01", {400}, "date"),
    ("/api/v1/feeds/weekly?week=0000-W01", {400}, "week"),
    ("/api/v1/feeds/monthly?month=0000-01", {400}, "month"),
    ("/api/daily_papers?date=9999-12-31", {200}, None),
    ("/api/daily_papers?week=9999-W52", {400}, "ends after 9999-12-31"),
    ("/api/daily_papers?month=9999-12", {200}, None),
    ("/api/daily_papers?date=0000-01-01", {400}, "date"),
]


@pytest.mark.parametrize(("url", "statuses", "word"), EXTREME_DATES, ids=lambda v: str(v)[:60])
def test_years_9999_and_0_are_answered_not_a_server_error(client, site, url, statuses, word):
    response = client.get(url)
    assert response.status_code in statuses, (url, response.status_code, response.content[:300])
    if response.status_code == 200 and url.startswith("/api/v1/"):
        assert response.json()["items"] == []
    if word is not None:
        assert word in message_of(response), (url, message_of(response)[:300])


@pytest.mark.parametrize(
    "path", ["/api/v1/search", "/api/papers/search", "/search", "/feeds/search.rss", "/"]
)
@pytest.mark.parametrize("query", ["q=%FF%FEcache%C0%AF&sort=%FF", "q=\xff\xfecache&mode=\xc0"])
def test_invalid_utf8_in_query_string_is_not_a_server_error(client, site, path, query):
    # percent-encoded bytes that are not UTF-8, and the raw bytes (QUERY_STRING is latin-1)
    response = client.get(path, QUERY_STRING=query)
    assert response.status_code < 500, (path, query, response.content[:300])
    if response.status_code >= 400:
        assert message_of(response).strip()


def test_huge_search_query_is_answered_or_refused_clearly(client, site):
    query = "cache " * (100_000 // 6)
    for url in ("/api/v1/search", "/api/papers/search", "/search"):
        response = client.get(url, {"q": query})
        assert response.status_code in {200, 400, 414}, (url, response.content[:300])
        if response.status_code != 200:
            assert message_of(response).strip()


# JSON bodies to the API, sent with alice's token: (method, url, body bytes)
BAD_JSON = [
    ("post", "/api/v1/papers/2503.00001/comments", b"\xff\xfe{not utf-8"),
    ("post", "/api/v1/papers/2503.00001/comments", b'{"body": "unterminated'),
    ("post", "/api/v1/papers/2503.00001/comments", b'{"body": 42, "parent_id": "x"}'),
    ("post", "/api/v1/papers/2503.00001/comments", b'["body"]'),
    ("post", "/api/v1/papers/2503.00001/comments", b'{"body": "hi", "parent_id": 1e400}'),
    ("post", "/api/v1/submissions", b'{"paper": ["2503.00001"]}'),
    ("post", "/api/v1/submissions", b'{"paper": "..%2F..%2Fetc%2Fpasswd"}'),
    ("post", "/api/v1/submissions", b'{"paper": "\\u0000"}'),
    ("post", "/api/v1/submissions", b"null"),
    ("patch", "/api/v1/comments/1", b'{"body": null}'),
    ("post", "/api/v1/papers/%00/vote", b""),
    ("post", f"/api/v1/papers/{LONG_ID}/vote".encode().decode(), b""),
]


@pytest.mark.parametrize(("method", "url", "body"), BAD_JSON, ids=lambda v: str(v)[:50])
def test_malformed_json_body_is_a_clear_client_error(alice_api, site, method, url, body):
    response = getattr(alice_api, method)(url, data=body, content_type="application/json")
    assert 400 <= response.status_code < 500, (url, body, response.status_code, response.content)
    assert message_of(response).strip()


OVERSIZED_LIMIT = 10_000


def test_oversized_json_body_to_the_api_is_refused(alice_api, site, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = OVERSIZED_LIMIT
    body = json.dumps({"body": "x" * (OVERSIZED_LIMIT * 2)})
    response = alice_api.post(
        "/api/v1/papers/2503.00001/comments", data=body, content_type="application/json"
    )
    assert response.status_code in {400, 413}, response.content[:300]
    assert message_of(response).strip()


@pytest.mark.parametrize("url", ["/papers/2503.00001/comments", "/submit"])
def test_oversized_form_post_is_refused(client, alice, site, settings, url):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = OVERSIZED_LIMIT
    client.force_login(alice)
    response = client.post(url, {"body": "x" * (OVERSIZED_LIMIT * 2), "paper": "2503.00001"})
    assert response.status_code in {400, 413}, response.content[:300]
    assert response.content.strip()


# NUL and lone surrogates (issue 14 item 14): PostgreSQL refuses NUL in any query (/users/%00
# was a 500 there), UTF-8 cannot encode a lone surrogate (a JSON "\ud800" was a 500 on both
# databases), XML cannot carry NUL (the feeds were 500s). A 400 that names where.
UNUSABLE_GETS = [
    ("/users/%00", "path", "U+0000"),
    ("/users/a%00b", "path", "U+0000"),
    ("/orgs/%00", "path", "U+0000"),
    ("/papers/2503.00001%00/comments", "path", "U+0000"),
    ("/feeds/users/%00.rss", "path", "U+0000"),
    ("/feeds/categories/cs%00.atom", "path", "U+0000"),
    ("/api/v1/users/%00/upvotes", "path", "U+0000"),
    ("/search?q=cache%00", "q", "U+0000"),
    ("/feeds/search.rss?q=cache%00", "q", "U+0000"),
    ("/api/v1/search?q=%00", "q", "U+0000"),
    ("/api/papers/search?q=%00", "q", "U+0000"),
    ("/follows/authors?name=%00", "name", "U+0000"),
    ("/search?q%00=cache", "query parameter name", "U+0000"),
]


@pytest.mark.parametrize(("url", "where", "char"), UNUSABLE_GETS, ids=lambda v: str(v)[:40])
def test_nul_in_urls_is_a_400_naming_where(client, alice, site, url, where, char):
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 400, (url, response.status_code, response.content[:300])
    assert f"{where}: contains the character {char}" in message_of(response)
    assert message_of(response).startswith(where) or not url.startswith("/api/")
    assert response["Content-Type"].startswith(
        "application/json" if url.startswith("/api/") else "text/html"
    )


@pytest.mark.parametrize(
    ("url", "form", "where"),
    [
        ("/papers/2503.00001/comments", {"body": "nice\x00"}, "body"),
        ("/submit", {"paper": "2503.00001\x00"}, "paper"),
        ("/accounts/login/", {"login": "alice\x00", "password": "x"}, "login"),
        ("/subscribe", {"email": "a\x00@example.org"}, "email"),
    ],
)
def test_nul_in_a_form_field_is_a_400_naming_the_field(client, alice, site, url, form, where):
    client.force_login(alice)
    response = client.post(url, form)
    assert response.status_code == 400, (url, response.status_code, response.content[:300])
    assert f"{where}: contains the character U+0000 (NUL)" in message_of(response)


def test_a_lone_surrogate_in_a_form_post_is_replaced_by_django_not_a_server_error(
    client, alice, site
):
    from paperfeed.community.models import Comment

    client.force_login(alice)
    body = "body=half%20a%20pair%20%ED%A0%80"  # the UTF-8 a lone U+D800 would have
    response = client.post(
        "/papers/2503.00001/comments", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code < 400, response.content[:300]
    assert Comment.objects.get().body.startswith("half a pair \ufffd")


@pytest.mark.parametrize(
    ("method", "url", "body", "where"),
    [
        ("post", "/api/v1/papers/2503.00001/comments", '{"body": "\\ud800"}', "body field body"),
        ("post", "/api/v1/papers/2503.00001/comments", '{"body": "a\\u0000"}', "body field body"),
        ("post", "/api/v1/me/mutes", '{"kind": "keyword", "value": "x\\udfff"}', "field value"),
        ("post", "/api/v1/me/seen", '{"paper_id": "2503.00001\\u0000"}', "body field paper_id"),
        ("put", "/api/v1/me/onboarding/topics", '{"topics": ["ok", "\\ud800"]}', "topics[1]"),
        ("post", "/api/v1/me/mutes", '{"kind": "keyword", "\\u0000": 1}', "body field name"),
    ],
)
def test_nul_and_lone_surrogates_in_json_bodies_are_a_400_naming_the_field(
    alice_api, site, method, url, body, where
):
    response = getattr(alice_api, method)(url, data=body, content_type="application/json")
    assert response.status_code == 400, (url, response.status_code, response.content[:300])
    message = message_of(response)
    assert where in message and "which is not allowed" in message, message


def test_nul_in_a_cookie_is_a_400(client, site):
    # a quoted cookie value's octal escapes are decoded (http.cookies): nine NULs
    response = client.get("/", HTTP_COOKIE='sessionid="' + "\\000" * 9 + '"')
    assert response.status_code == 400
    assert "cookie sessionid: contains the character U+0000" in message_of(response)

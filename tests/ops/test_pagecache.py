"""The page cache (paperfeed/ops/pagecache.py): anonymous pages, feeds and API lists served from
the cache, invalidated at once by every change they show, never leaking what is per client;
ETag / Last-Modified and 304 on the cached routes."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time

import pytest
from django.contrib.admin.sites import site
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from paperfeed.claims import claims
from paperfeed.community import comments, feed_entry, votes
from paperfeed.ops import pagecache
from paperfeed.papers.admin import PaperAdmin
from paperfeed.papers.models import Paper
from paperfeed.signals import store as signals_store
from tests.community.factories import logged_in
from tests.web.conftest import make_user, record, store

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


@pytest.fixture
def papers():
    return store(
        record(TODAY, arxiv_id="2503.00001", title="First paper"),
        record(TODAY, arxiv_id="2503.00002", title="Second paper"),
    )


@pytest.fixture
def alice(db):
    return make_user("alice")


def count_on(body: bytes, paper_id: str) -> int:
    """The upvote count the anonymous card of ``paper_id`` shows (its login link's label)."""
    for card in body.decode().split('<div class="vote">')[1:]:  # a vote box, then its card
        if f'href="/papers/{paper_id}"' in card:
            return int(re.search(r"Log in to upvote \((\d+)", card).group(1))
    raise AssertionError(f"no card of {paper_id}")


def queries_of(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as context:
        client.get(url, **headers)
    return len(context)


def served_from_cache(client, url: str, django_assert_num_queries, **headers) -> bytes:
    """GET ``url`` twice; the second answer must come without a database query."""
    first = client.get(url, **headers)
    assert first.status_code == 200, first.content[:300]
    with django_assert_num_queries(0):
        second = client.get(url, **headers)
    assert second.status_code == 200 and second.content == first.content
    return second.content


# -- what is cached -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "/",
        f"/day/{TODAY.isoformat()}",
        "/trending",
        "/papers/2503.00001",
        "/feeds/daily.atom",
        "/feeds/trending.rss",
        "/api/daily_papers",
        "/api/v1/feeds/daily",
        "/api/papers/2503.00001",
    ],
)
def test_anonymous_pages_feeds_and_api_lists_come_from_the_cache(
    papers, url, django_assert_num_queries
):
    client = Client()
    body = served_from_cache(client, url, django_assert_num_queries)
    assert b"csrfmiddlewaretoken" not in body and b"X-CSRFToken" not in body
    assert "Set-Cookie" not in client.get(url).headers  # nothing per client is handed on


def test_a_member_is_never_served_the_cached_page(papers, alice):
    Client().get("/")  # stored for anonymous readers
    member = logged_in(alice)
    page = member.get("/")
    assert b"vote-form" in page.content and b"X-CSRFToken" in page.content
    assert b"vote-login" not in page.content


@pytest.mark.parametrize(
    "cookie", ["sessionid", "messages"], ids=["session cookie", "messages cookie"]
)
def test_a_client_with_a_session_or_messages_is_not_served_from_the_cache(papers, cookie):
    Client().get("/")
    client = Client()
    client.cookies[cookie] = "x"
    assert queries_of(client, "/") > 0  # rendered again


def test_an_api_token_bypasses_the_cache(papers):
    Client().get("/api/daily_papers")
    key = pagecache.key(
        RequestFactory().get("/api/daily_papers"), pagecache.version(pagecache.LISTS)
    )
    assert caches[pagecache.PAGES].get(key) is not None
    response = Client().get("/api/daily_papers", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code in (200, 401)
    assert "Last-Modified" not in response  # not the stored answer


def test_error_pages_are_not_stored(papers):
    client = Client()
    assert client.get("/papers/2503.99999").status_code == 404
    assert queries_of(client, "/papers/2503.99999") > 0  # rendered again


def test_a_response_that_used_a_csrf_token_or_set_a_cookie_is_not_stored():
    request = RequestFactory().get("/")
    assert pagecache.storable(request, HttpResponse("a page"))
    with_cookie = HttpResponse("a page")
    with_cookie.set_cookie("csrftoken", "x")
    assert not pagecache.storable(request, with_cookie)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # get_token() was called: a form token
    assert not pagecache.storable(request, HttpResponse("a page"))


def test_the_cache_can_be_turned_off(papers, settings):
    settings.PAPERFEED_PAGE_CACHE_SECONDS = 0
    client = Client()
    client.get("/")
    assert queries_of(client, "/") > 0  # rendered again


# -- invalidation: each change shows at once ----------------------------------------------
def test_a_vote_shows_at_once_on_the_cached_pages(papers, alice):
    anonymous = Client()
    assert count_on(anonymous.get("/").content, "2503.00001") == 0
    assert logged_in(alice).post("/papers/2503.00001/vote", {"voted": "1"}).status_code in (
        200,
        302,
    )
    assert count_on(anonymous.get("/").content, "2503.00001") == 1
    votes.set_vote(alice, "2503.00001", False)
    assert count_on(anonymous.get("/").content, "2503.00001") == 0


def vote_count_of_paper_page(body: bytes) -> int:
    return int(re.search(rb"Log in to upvote \((\d+)", body).group(1))


def test_a_vote_keeps_the_other_papers_pages_cached(papers, alice, django_assert_num_queries):
    """A vote replaces its paper's and the lists' tokens, not the global one: the page and the
    API answer of another paper are still served without a query, its own show the vote."""
    anonymous = Client()
    for url in ("/papers/2503.00001", "/papers/2503.00002", "/api/v1/papers/2503.00002v1"):
        anonymous.get(url)
    votes.set_vote(alice, "2503.00001", True)
    with django_assert_num_queries(0):
        other = anonymous.get("/papers/2503.00002")
        other_api = anonymous.get("/api/v1/papers/2503.00002v1")
    assert other.status_code == other_api.status_code == 200
    assert vote_count_of_paper_page(anonymous.get("/papers/2503.00001").content) == 1
    assert count_on(anonymous.get("/").content, "2503.00001") == 1


def test_a_vote_shows_on_its_paper_under_any_spelling_of_its_id(papers, alice):
    anonymous = Client()
    for url in ("/api/v1/papers/2503.00001v2", "/api/papers/2503.00001"):
        assert anonymous.get(url).json()["upvotes"] == 0
    votes.set_vote(alice, "2503.00001", True)
    for url in ("/api/v1/papers/2503.00001v2", "/api/papers/2503.00001"):
        assert anonymous.get(url).json()["upvotes"] == 1
    votes.set_vote(alice, "2503.00001", False)
    assert anonymous.get("/api/v1/papers/2503.00001v2").json()["upvotes"] == 0


def test_a_vote_row_written_elsewhere_replaces_its_papers_token(papers, alice):
    """A vote saved outside votes.py (the admin) still shows: the row's signal is scoped too."""
    from paperfeed.community.models import Vote

    before = pagecache.version(pagecache.paper_scope("2503.00001"))
    other = pagecache.version(pagecache.paper_scope("2503.00002"))
    Vote.objects.create(user=alice, paper_id="2503.00001")
    assert pagecache.version(pagecache.paper_scope("2503.00001")) != before
    assert pagecache.version(pagecache.paper_scope("2503.00002")) == other


def test_a_login_keeps_the_pages(papers, alice, django_assert_num_queries):
    anonymous = Client()
    anonymous.get("/")
    logged_in(alice)  # saves last_login
    with django_assert_num_queries(0):
        assert anonymous.get("/").status_code == 200


def test_a_renamed_user_replaces_the_version(papers, alice):
    before = pagecache.version()
    alice.username = "alice2"
    alice.save()
    assert pagecache.version() != before


def test_what_is_no_arxiv_id_gets_no_token_of_its_own(papers, recwarn):
    """A client's garbage in a paper's URL never becomes a key of the shared token store."""
    from django.core.cache import CacheKeyWarning

    for url in ("/api/v1/papers/%0EQ%C3%8Bn%C3%89", "/papers/9999999999999999999999"):
        assert Client().get(url).status_code in (400, 404)
    assert pagecache.paper_scope("\x0eQ\xcbn") == pagecache.LISTS
    assert not [w for w in recwarn if issubclass(w.category, CacheKeyWarning)]


def test_reading_pages_writes_no_token_and_a_votes_token_lapses_after_its_pages(
    papers, alice, settings, monkeypatch
):
    """Tokens are written by changes only (reading the pages of many papers adds nothing to the
    store), and a paper's lapses once the pages stored before it have expired."""
    settings.PAPERFEED_PAGE_CACHE_SECONDS = 1  # pages stored from here on live 1 s
    store = caches[pagecache.VERSIONS]
    key = f"{pagecache.VERSION_KEY}:{pagecache.paper_scope('2503.00001')}"
    anonymous = Client()
    anonymous.get("/papers/2503.00001")
    anonymous.get("/papers/2503.00002")
    assert store.get(key) is None
    assert pagecache.version(pagecache.paper_scope("2503.00001")).endswith(pagecache.UNCHANGED)
    monkeypatch.setattr(pagecache, "PAPER_TOKEN_MARGIN", 0.5)
    votes.set_vote(alice, "2503.00001", True)
    assert store.get(key) is not None and store.get(key) != pagecache.UNCHANGED
    assert vote_count_of_paper_page(anonymous.get("/papers/2503.00001").content) == 1
    time.sleep(2.7)  # past 2 x 1 s + 0.5 s: the token and every page before it are gone
    assert store.get(key) is None
    assert vote_count_of_paper_page(anonymous.get("/papers/2503.00001").content) == 1
    assert store.get(pagecache.VERSION_KEY) is not None  # the global one is kept


def test_the_nodes_token_store_never_culls(settings):
    options = settings.CACHES[pagecache.VERSIONS].get("OPTIONS", {})
    assert options.get("MAX_ENTRIES", 300) >= 1_000_000


def test_a_comment_shows_at_once(papers, alice):
    anonymous = Client()
    assert b"Well argued" not in anonymous.get("/papers/2503.00001").content
    comments.add_comment(alice, "2503.00001", "Well argued")
    assert b"Well argued" in anonymous.get("/papers/2503.00001").content


def test_a_new_paper_shows_at_once(papers):
    anonymous = Client()
    assert b"Third paper" not in anonymous.get("/api/daily_papers").content
    store(record(TODAY, arxiv_id="2503.00003", title="Third paper"))
    assert b"Third paper" in anonymous.get("/api/daily_papers").content


def test_a_signals_refresh_shows_at_once(papers):
    anonymous = Client()
    assert b"github.com/ada/first" not in anonymous.get("/papers/2503.00001").content
    signals_store.save_signals({"2503.00001": {"code_url": "https://github.com/ada/first"}})
    assert b"github.com/ada/first" in anonymous.get("/papers/2503.00001").content


def test_hiding_a_paper_shows_at_once(papers, rf):
    anonymous = Client()
    assert b"First paper" in anonymous.get("/feeds/daily.atom").content
    request = rf.post("/admin/")
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    PaperAdmin(Paper, site).hide_papers(request, Paper.objects.filter(pk="2503.00001"))
    assert b"First paper" not in anonymous.get("/feeds/daily.atom").content


def test_a_submitted_paper_entering_the_feed_shows_at_once(papers):
    old = store(record(TODAY - dt.timedelta(days=40), arxiv_id="2411.00009", title="Old one"))[0]
    anonymous = Client()
    assert b"Old one" not in anonymous.get("/").content
    feed_entry.enter_feed(old.pk, TODAY)
    assert b"Old one" in anonymous.get("/").content


def test_a_decided_claim_replaces_the_version(papers, alice):
    before = pagecache.version()
    claim = claims.Claim.objects.create(
        user=alice, author=Paper.objects.get(pk="2503.00001").authors.first()
    )
    between = pagecache.version()
    claims.approve(claim.pk, alice)
    assert len({before, between, pagecache.version()}) == 3


def test_the_version_lives_where_every_worker_of_the_node_reads_it(settings):
    """Without Redis the token is in a file cache: another process (a fresh backend on the same
    directory) sees the change at once."""
    location = settings.CACHES[pagecache.VERSIONS]["LOCATION"]
    assert settings.CACHES[pagecache.VERSIONS]["BACKEND"].endswith("FileBasedCache")
    other_worker = FileBasedCache(location, {})
    before = other_worker.get(pagecache.VERSION_KEY) or pagecache.version()
    pagecache.changed("test")
    assert other_worker.get(pagecache.VERSION_KEY) not in (None, before)


def test_a_lost_version_becomes_a_new_one_never_an_old_one():
    first = pagecache.version()
    caches[pagecache.VERSIONS].delete(pagecache.VERSION_KEY)
    assert pagecache.version() != first


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_are_exact_on_the_cached_page():
    """Twelve members vote at once from their own threads and connections (real commits, so the
    on-commit replacement runs); the anonymous page then shows exactly twelve."""
    from tests.community.test_votes import _run_threads

    store(record(TODAY, arxiv_id="2503.00001", title="First paper"))
    anonymous = Client()
    assert count_on(anonymous.get("/").content, "2503.00001") == 0
    voters = [make_user(f"voter{i}") for i in range(12)]
    errors = _run_threads(lambda u: votes.set_vote(u, "2503.00001", True), [(u,) for u in voters])
    assert errors == []
    assert count_on(anonymous.get("/").content, "2503.00001") == 12
    assert Paper.objects.get(pk="2503.00001").upvotes == 12


# -- conditional GET ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "/feeds/daily.atom",
        "/feeds/categories/cs.CL.rss",
        "/api/daily_papers",
        "/api/v1/feeds/daily",
    ],
)
def test_etag_and_last_modified_answer_304_and_change_with_the_content(papers, alice, url):
    client = Client()
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and "no-cache" in first["Cache-Control"]
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    store(record(TODAY, arxiv_id="2503.00003", title="Third paper", categories=("cs.CL",)))
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_if_modified_since_before_the_rendering_gets_the_page(papers):
    client = Client()
    client.get("/feeds/daily.atom")
    long_ago = http_date((timezone.now() - dt.timedelta(days=1)).timestamp())
    assert client.get("/feeds/daily.atom", HTTP_IF_MODIFIED_SINCE=long_ago).status_code == 200


def test_a_member_gets_an_etag_and_304_too(papers, alice):
    member = logged_in(alice)
    first = member.get("/api/v1/feeds/daily")
    assert "Last-Modified" not in first  # not a stored rendering
    again = member.get("/api/v1/feeds/daily", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert "Cookie" in first["Vary"] and "Authorization" in first["Vary"]


# -- Redis ----------------------------------------------------------------------------------
def test_redis_url_puts_the_pages_and_their_version_in_redis(tmp_path):
    """With REDIS_URL both aliases are Redis (every node shares them); the rate limits' cache
    stays the node's file cache."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/9", "PAPERFEED_HOME": str(tmp_path)}
    env["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps({k: v['BACKEND'] for k, v in settings.CACHES.items()}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    backends = json.loads(out.stdout.strip().splitlines()[-1])
    assert backends["pages"].endswith("RedisCache")
    assert backends["page_versions"].endswith("RedisCache")
    assert backends["default"].endswith("FileBasedCache")


@pytest.fixture
def redis_caches(settings):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/9", socket_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    prefix = f"paperfeed-test-{secrets.token_hex(4)}"
    backend = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/9",
        "KEY_PREFIX": prefix,
    }
    settings.CACHES = {**settings.CACHES, "pages": backend, "page_versions": backend}
    yield
    client = redis.Redis.from_url("redis://127.0.0.1:6379/9")
    for key in client.scan_iter(f"{prefix}:*"):  # only this test's keys, never FLUSHDB
        client.delete(key)


def test_pages_served_from_redis_and_replaced_at_once(papers, alice, redis_caches):
    anonymous = Client()
    assert queries_of(anonymous, "/") > 0
    assert queries_of(anonymous, "/") == 0  # from Redis
    votes.set_vote(alice, "2503.00001", True)
    assert count_on(anonymous.get("/").content, "2503.00001") == 1

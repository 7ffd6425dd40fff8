"""paperfeed.ops.throttle: the client address behind trusted proxies, and the rate limits that
count it (allauth's login limits included)."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import Client, RequestFactory, override_settings
from hypothesis import given
from hypothesis import strategies as st

from paperfeed import config
from paperfeed.ops import throttle
from paperfeed.ops.throttle import resolve_client
from tests.community.factories import PASSWORD, make_user

NONE = config.TrustedProxies()
ONE = config.parse_trusted_proxies("1")
LOCAL = config.parse_trusted_proxies("127.0.0.1, 10.0.0.0/8")


def test_no_trusted_proxy_reads_the_peer_and_ignores_the_header():
    assert resolve_client("203.0.113.9", "1.2.3.4", NONE) == "203.0.113.9"


def test_a_count_reads_the_address_the_nearest_proxy_appended():
    assert resolve_client("127.0.0.1", "198.51.100.7", ONE) == "198.51.100.7"
    # a forged entry sits left of the one nginx appended: ignored
    assert resolve_client("127.0.0.1", "6.6.6.6, 198.51.100.7", ONE) == "198.51.100.7"
    two = config.parse_trusted_proxies("2")
    assert resolve_client("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.1", two) == "198.51.100.7"
    assert resolve_client("127.0.0.1", "", ONE) == "127.0.0.1"  # reached directly


def test_networks_walk_from_the_right_past_trusted_hops_only():
    assert resolve_client("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3", LOCAL) == "198.51.100.7"
    # the peer is not a trusted proxy: its header is the client's own claim, not believed
    assert resolve_client("198.51.100.7", "1.1.1.1", LOCAL) == "198.51.100.7"
    assert resolve_client("127.0.0.1", "garbage, 10.0.0.9", LOCAL) == "10.0.0.9"
    assert resolve_client("127.0.0.1", "[2001:db8::1]:443", LOCAL) == "2001:db8::1"


@given(
    claimed=st.lists(st.ip_addresses().map(str), max_size=4),
    real=st.ip_addresses(v=4).filter(lambda a: not a.is_loopback).map(str),
)
def test_a_client_cannot_choose_its_address_by_sending_the_header(claimed, real):
    """Whatever the client sends, the proxy appends the address it saw: that one counts."""
    header = ", ".join([*claimed, real])
    assert resolve_client("127.0.0.1", header, ONE) == real
    if ipaddress.ip_address(real) not in LOCAL.networks[1]:
        assert resolve_client("127.0.0.1", header, LOCAL) == real


def test_a_forwarded_header_without_trusted_proxies_is_logged_once(rf, caplog, monkeypatch):
    monkeypatch.setattr(throttle, "_warned", False)
    with override_settings(PAPERFEED_TRUSTED_PROXIES=NONE):
        for _ in range(3):
            request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.3")
            assert throttle.client_address(request) == "127.0.0.1"
    warnings = [r for r in caplog.records if "PAPERFEED_TRUSTED_PROXIES is empty" in r.message]
    assert len(warnings) == 1


def test_settings_refuse_what_is_neither_a_count_nor_a_network(monkeypatch):
    with pytest.raises(config.ConfigError, match=r"'nginx' is neither"):
        config.parse_trusted_proxies("127.0.0.1, nginx")
    monkeypatch.setenv("PAPERFEED_LIMIT_COMMENT", "5 per minute")
    with pytest.raises(config.ConfigError, match=r"PAPERFEED_LIMIT_COMMENT='5 per minute'"):
        config.limit("PAPERFEED_LIMIT_COMMENT")
    monkeypatch.setenv("PAPERFEED_LIMIT_COMMENT", "5/m/user, 1/5m/ip,2/d")
    assert config.limit("PAPERFEED_LIMIT_COMMENT") == "5/m/user, 1/5m/ip,2/d"


def _post(address: str, path: str = "/subscribe"):
    return RequestFactory().post(path, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address)


@pytest.mark.django_db
@override_settings(PAPERFEED_TRUSTED_PROXIES=ONE, PAPERFEED_LIMIT_SUBSCRIBE="2/h/ip")
def test_consume_counts_per_client_behind_the_proxy():
    from django.contrib.auth.models import AnonymousUser

    def hit(address):
        request = _post(address)
        request.user = AnonymousUser()
        return throttle.consume(request, "subscribe")

    assert hit("198.51.100.1") is None and hit("198.51.100.1") is None
    refused = hit("198.51.100.1")
    assert refused is not None and refused.retry_after == 3600
    assert "at most 2 per hour" in refused.message and "from your network" in refused.message
    assert hit("198.51.100.2") is None  # another client behind the same proxy is not affected


@pytest.mark.django_db
@override_settings(PAPERFEED_LIMIT_COMMENT="3/h/user,1/m/ip")
def test_a_refused_hit_is_not_counted_by_the_rates_that_allowed_it():
    user = make_user("rita")

    def hit(address):
        request = RequestFactory().post("/x", REMOTE_ADDR=address)
        request.user = user
        return throttle.consume(request, "comment")

    assert hit("192.0.2.1") is None
    assert hit("192.0.2.1").rate == "1/m/ip"  # the per-address rate refuses...
    assert hit("192.0.2.2") is None  # ...and the refused one did not use up the account's 3
    assert hit("192.0.2.3") is None
    assert hit("192.0.2.4").rate == "3/h/user"


def test_refusals_answer_json_under_the_api_and_a_page_elsewhere(rf):
    refused = throttle.Refused("comment", "5/60/user", "Too many comments.", 60)
    api = refused.response(rf.post("/api/v1/papers/2401.00001/comments"))
    assert api.status_code == 429 and api["Retry-After"] == "60"
    assert api["Content-Type"] == "application/json"
    assert b'"detail": "Too many comments."' in api.content
    page = refused.response(rf.post("/paper/2401.00001/comment"))
    assert page.status_code == 429 and b"Too many comments." in page.content


@pytest.mark.django_db
@override_settings(PAPERFEED_TRUSTED_PROXIES=ONE)
def test_one_attacker_behind_the_proxy_does_not_lock_out_everyone_s_login():
    """allauth's 10 failed logins a minute per address count the client nginx saw, not nginx."""
    make_user("alice")
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66")
    for n in range(12):  # different accounts: only the per-address limit applies
        attacker.post("/accounts/login/", {"login": f"victim{n}", "password": "guess"})
    blocked = attacker.post("/accounts/login/", {"login": "alice", "password": PASSWORD})
    assert "_auth_user_id" not in attacker.session and blocked.status_code == 200

    someone = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20")
    response = someone.post("/accounts/login/", {"login": "alice", "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in someone.session

"""Who sees /metrics and /readyz's detail (paperfeed.ops.access): the operator's networks or the
bearer token; anyone else a bare readiness status and a 403 for metrics; /healthz open to all."""

from __future__ import annotations

import ipaddress

import pytest

from paperfeed import config
from paperfeed.ops import access

OUTSIDE = "203.0.113.5"
TOKEN = "Jq7vX2mKp9RtW4zLc8NbF3hYd6GsE1uA5oQiT0kV"


def nets(*cidrs: str):
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


@pytest.mark.django_db
def test_outsiders_get_a_bare_readyz_and_no_metrics(client, indexed):
    ready = client.get("/readyz", REMOTE_ADDR=OUTSIDE)
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok"}  # no vendor, documents, generation
    assert b"sqlite" not in ready.content and b"postgresql" not in ready.content
    metrics = client.get("/metrics", REMOTE_ADDR=OUTSIDE)
    assert metrics.status_code == 403
    assert b"papers_total" not in metrics.content
    assert b"PAPERFEED_OPS_NETWORKS" in metrics.content  # says how the operator gets in
    assert "no-cache" in metrics["Cache-Control"]
    assert client.get("/healthz", REMOTE_ADDR=OUTSIDE).json() == {"status": "ok"}


@pytest.mark.django_db
def test_outsiders_still_see_unready_as_503(client, data_home):
    response = client.get("/readyz", REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}  # no error text, no index path


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_loopback_sees_the_detail_by_default(client, indexed, address):
    body = client.get("/readyz", REMOTE_ADDR=address).json()
    assert body["checks"]["lexical_index"]["documents"] == len(indexed)
    assert body["checks"]["database"]["vendor"] in {"sqlite", "postgresql"}
    assert client.get("/metrics", REMOTE_ADDR=address).status_code == 200


@pytest.mark.django_db
def test_configured_networks_replace_loopback(client, indexed, settings):
    settings.PAPERFEED_OPS_NETWORKS = nets("10.0.0.0/8", "2001:db8::/32")
    for inside in ("10.1.2.3", "2001:db8::7"):
        assert "checks" in client.get("/readyz", REMOTE_ADDR=inside).json(), inside
        assert client.get("/metrics", REMOTE_ADDR=inside).status_code == 200, inside
    for outside in ("127.0.0.1", "11.0.0.1", "", "not-an-address"):
        assert client.get("/readyz", REMOTE_ADDR=outside).json() == {"status": "ok"}, outside
        assert client.get("/metrics", REMOTE_ADDR=outside).status_code == 403, outside


@pytest.mark.django_db
def test_the_bearer_token_opens_the_detail_from_anywhere(client, indexed, settings):
    settings.PAPERFEED_OPS_TOKEN = TOKEN
    for header in (f"Bearer {TOKEN}", f"bearer {TOKEN}", f"  Bearer   {TOKEN} "):
        scrape = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=header)
        assert scrape.status_code == 200, header
        assert b"papers_total" in scrape.content
        ready = client.get("/readyz", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=header)
        assert "checks" in ready.json()
    for wrong in (f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", TOKEN, "Bearer ", ""):
        assert (
            client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=wrong).status_code == 403
        ), wrong


@pytest.mark.django_db
def test_no_token_is_accepted_when_none_is_set(client, settings):
    settings.PAPERFEED_OPS_TOKEN = ""
    for header in ("Bearer ", "Bearer", "Bearer  "):
        response = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=header)
        assert response.status_code == 403, header


@pytest.mark.django_db
def test_metrics_answer_a_scraper_that_names_the_node_by_address(client):
    # Prometheus scraping 10.0.0.12:8000 sends that as Host; ALLOWED_HOSTS does not name it
    assert client.get("/metrics", HTTP_HOST="10.0.0.12:8000").status_code == 200
    assert (
        client.get("/metrics", HTTP_HOST="10.0.0.12:8000", REMOTE_ADDR=OUTSIDE).status_code == 403
    )
    assert client.post("/metrics").status_code == 405


def test_in_networks_parses_or_refuses():
    loopback = nets("127.0.0.0/8", "::1")
    assert access.in_networks("127.0.0.1", loopback)
    assert access.in_networks("::ffff:127.0.0.2", loopback)
    assert not access.in_networks("::ffff:10.0.0.1", loopback)
    assert not access.in_networks("", loopback) and not access.in_networks("localhost", loopback)
    assert not access.in_networks("127.0.0.1", ())


def test_networks_setting_parses_and_names_a_bad_part(monkeypatch):
    monkeypatch.setenv("PAPERFEED_OPS_NETWORKS", " 10.0.0.0/8, ::1 ,192.168.1.7,")
    assert config.address_networks("PAPERFEED_OPS_NETWORKS") == nets(
        "10.0.0.0/8", "::1", "192.168.1.7"
    )
    monkeypatch.setenv("PAPERFEED_OPS_NETWORKS", "")
    assert config.address_networks("PAPERFEED_OPS_NETWORKS") == ()
    monkeypatch.setenv("PAPERFEED_OPS_NETWORKS", "10.0.0.0/8,intranet")
    with pytest.raises(config.ConfigError, match="PAPERFEED_OPS_NETWORKS: 'intranet' is not"):
        config.address_networks("PAPERFEED_OPS_NETWORKS")
    monkeypatch.delenv("PAPERFEED_OPS_NETWORKS")
    assert config.address_networks("PAPERFEED_OPS_NETWORKS") == nets("127.0.0.0/8", "::1")


def test_a_weak_ops_token_is_refused(monkeypatch):
    monkeypatch.setenv("PAPERFEED_OPS_TOKEN", "prometheus")
    with pytest.raises(config.ConfigError, match="PAPERFEED_OPS_TOKEN is too short"):
        config.ops_token()
    monkeypatch.setenv("PAPERFEED_OPS_TOKEN", f" {TOKEN} ")
    assert config.ops_token() == TOKEN
    monkeypatch.delenv("PAPERFEED_OPS_TOKEN")
    assert config.ops_token() == ""


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_client_counts_not_the_proxy(client, indexed, settings):
    # nginx on the same machine: every request arrives from 127.0.0.1 with X-Forwarded-For
    settings.PAPERFEED_TRUSTED_PROXIES = config.parse_trusted_proxies("1")
    proxied = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": OUTSIDE}
    assert client.get("/readyz", **proxied).json() == {"status": "ok"}
    assert client.get("/metrics", **proxied).status_code == 403
    # a client cannot claim loopback by sending the header itself: the proxy appends its peer
    forged = {**proxied, "HTTP_X_FORWARDED_FOR": f"127.0.0.1, {OUTSIDE}"}
    assert client.get("/metrics", **forged).status_code == 403
    local = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "127.0.0.1"}
    assert client.get("/metrics", **local).status_code == 200  # curl on the proxy's machine
    settings.PAPERFEED_TRUSTED_PROXIES = config.parse_trusted_proxies("127.0.0.1")
    assert client.get("/metrics", **proxied).status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200  # direct: no hop
    # a node reached without the proxy: a forged header from an untrusted peer is not read
    direct = {"REMOTE_ADDR": OUTSIDE, "HTTP_X_FORWARDED_FOR": "127.0.0.1"}
    assert client.get("/metrics", **direct).status_code == 403

"""Security response headers: the Content-Security-Policy, Referrer-Policy and Permissions-Policy
on every page in every mode; HSTS and the HTTPS redirect in production mode only; and Django's
``check --deploy`` clean in production mode. (tests/e2e/test_csp.py: the policy in Chromium.)

Production mode is read when the settings load, so those tests run paperfeed in a subprocess
with ``PAPERFEED_PRODUCTION=1``, which prints what Django's test client got back.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import cli_env

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: https://cdn-avatars.huggingface.co https://huggingface.co "
    "https://www.gravatar.com; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
DENIED = ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics")
RANDOM_KEY = "sJCr-Gzxsr64a6K3bwF7qT0_vLmN8pXyZ2hD9eUcW5oRkA1iBt"

# what a production process answers: `check --deploy` at warning level, then a few requests
PROBE = """
import io, json
from django.core.management import call_command
from django.test import Client
out = io.StringIO()
try:
    call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=out)
    check = "ok: " + out.getvalue()
except Exception as exc:
    check = f"{exc}: {out.getvalue()}"
client = Client()
https = client.get("/api/docs", HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="papers.example.org")
plain = client.get("/api/docs", HTTP_X_FORWARDED_PROTO="http", HTTP_HOST="papers.example.org")
health = client.get("/healthz", HTTP_HOST="papers.example.org")
print(json.dumps({
    "check": check,
    "https": {"status": https.status_code, "headers": dict(https.headers)},
    "plain": {"status": plain.status_code, "location": plain.get("Location")},
    "healthz": health.status_code,
}))
"""


def directives(policy: str) -> dict[str, str]:
    """A policy as {directive: sources} (django-csp writes them in no fixed order)."""
    return dict(part.split(" ", 1) for part in policy.split("; "))


def production(tmp_path, **env: str) -> dict:
    environment = cli_env(
        tmp_path,
        PAPERFEED_PRODUCTION="1",
        PAPERFEED_DEBUG="0",
        SECRET_KEY=RANDOM_KEY,
        PAPERFEED_ALLOWED_HOSTS="papers.example.org",
        PAPERFEED_INDEX_CATCHUP_SECONDS="0",
        **env,
    )
    for name in [n for n in environment if n.startswith(("PAPERFEED_HSTS", "PAPERFEED_SSL"))]:
        if name not in env:
            del environment[name]  # the declared defaults, whatever the caller's shell holds
    done = subprocess.run(
        [sys.executable, "-m", "paperfeed", "manage", "shell", "-c", PROBE],
        env=environment,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def test_every_page_sends_the_policy_headers_and_no_hsts_outside_production(client, db):
    page = client.get("/about", secure=True)
    assert page.status_code == 200
    assert directives(page["Content-Security-Policy"]) == directives(POLICY)
    assert page["Referrer-Policy"] == "same-origin"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["X-Frame-Options"] == "DENY"
    assert page["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = page["Permissions-Policy"].split(", ")
    for feature in DENIED:
        assert f"{feature}=()" in permissions
    assert "Strict-Transport-Security" not in page  # HSTS only in production mode
    assert client.get("/about").status_code == 200  # and no redirect to HTTPS


def test_production_mode_sends_hsts_redirects_to_https_and_passes_check_deploy(tmp_path):
    got = production(tmp_path)
    headers = got["https"]["headers"]
    assert got["https"]["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    assert directives(headers["Content-Security-Policy"]) == directives(POLICY)
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"].split(", ")
    assert got["plain"] == {"status": 301, "location": "https://papers.example.org/api/docs"}
    assert got["healthz"] == 200  # probes over plain HTTP are answered, not redirected
    # includeSubDomains and preload are opt-in: their two warnings are silenced, nothing else
    assert got["check"] == "ok: System check identified no issues (2 silenced).\n"


def test_hsts_settings_subdomains_preload_and_max_age(tmp_path):
    got = production(
        tmp_path,
        PAPERFEED_HSTS_SECONDS="600",
        PAPERFEED_HSTS_INCLUDE_SUBDOMAINS="1",
        PAPERFEED_HSTS_PRELOAD="1",
        PAPERFEED_SSL_REDIRECT="0",
    )
    hsts = got["https"]["headers"]["Strict-Transport-Security"]
    assert hsts == "max-age=600; includeSubDomains; preload"
    assert got["plain"]["status"] == 200  # no redirect: TLS is someone else's
    # only the redirect's own warning, which the operator turned off knowingly
    assert "security.W008" in got["check"] and "(0 silenced)" in got["check"]
    assert "W004" not in got["check"] and "W005" not in got["check"]


def test_a_bad_hsts_max_age_stops_production_mode_naming_the_setting(tmp_path):
    env = cli_env(
        tmp_path,
        PAPERFEED_PRODUCTION="1",
        SECRET_KEY=RANDOM_KEY,
        PAPERFEED_ALLOWED_HOSTS="papers.example.org",
        PAPERFEED_HSTS_SECONDS="a year",
    )
    done = subprocess.run(
        [sys.executable, "-m", "paperfeed", "manage", "check"], env=env, capture_output=True
    )
    assert done.returncode != 0
    assert "PAPERFEED_HSTS_SECONDS='a year' is not a number" in done.stderr.decode()

from __future__ import annotations

import datetime as dt
import json
import socket
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from paperfeed.ingest.records import make_record
from paperfeed.ingest.upsert import ingest
from paperfeed.ops import doctor
from paperfeed.search.sync import sync_indexes
from paperfeed.signals import fetching, store
from paperfeed.signals import state as signal_state
from paperfeed.signals.http import RateLimited
from paperfeed.signals.models import SourceState
from paperfeed.signals.sources import s2 as s2_source
from tests.conftest import free_port, run_cli
from tests.ingest.arxiv_server import FakeArxiv, FakeTime
from tests.signals.server import recorded


def _ingest(ids: list[str]) -> None:
    ingest(
        make_record(
            raw_id=arxiv_id,
            title=f"Doctor test paper {arxiv_id}",
            source="test",
            location=arxiv_id,
            abstract_raw="An abstract about graphs.",
            categories=["cs.LG"],
            listed=dt.date(2025, 1, 2),
        )
        for arxiv_id in ids
    )


def _by_name(results: list[doctor.Check]) -> dict[str, doctor.Check]:
    return {c.name: c for c in results}


class FakeSmtp(threading.Thread):
    """Answers one SMTP conversation (greeting, EHLO, QUIT) on a local port."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]

    def run(self):
        conn, _ = self.sock.accept()
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 fake ESMTP\r\n")
            for line in lines:
                if line.upper().startswith(b"EHLO"):
                    conn.sendall(b"250-fake\r\n250 OK\r\n")
                elif line.upper().startswith(b"QUIT"):
                    conn.sendall(b"221 bye\r\n")
                    break
                else:
                    conn.sendall(b"250 OK\r\n")
        self.sock.close()


def _smtp_settings(port: int):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_SSL=False,
    )


@pytest.mark.django_db
def test_a_healthy_setup_passes(data_home, capsys):
    _ingest(["2501.00001", "2501.00002"])
    sync_indexes()
    results = doctor.run_checks()
    checks = _by_name(results)
    assert [c for c in results if c.status == doctor.FAIL] == []
    assert checks["migrations"].status == doctor.OK
    assert checks["search index"].status == doctor.OK
    assert checks["data directory"].status == doctor.OK
    # no vectors were made: a warning naming the fix, which does not fail the run
    assert checks["embeddings"].status == doctor.WARN
    assert "paperfeed embed" in checks["embeddings"].message
    call_command("doctor", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True


@pytest.mark.django_db
def test_a_stale_or_missing_index_names_the_fix(data_home):
    _ingest(["2501.00001"])
    missing = _by_name(doctor.run_checks())["search index"]
    assert missing.status == doctor.FAIL and "run `paperfeed index`" in missing.message
    sync_indexes()
    _ingest(["2501.00002"])
    stale = _by_name(doctor.run_checks())["search index"]
    assert stale.status == doctor.WARN
    assert "2 papers in the database, 1 in the index" in stale.message
    assert "run `paperfeed index`" in stale.message


@pytest.mark.django_db
def test_unreachable_smtp_fails_and_exits_1(data_home):
    with _smtp_settings(free_port()):
        smtp = _by_name(doctor.run_checks())["smtp"]
        assert smtp.status == doctor.FAIL
        assert "check EMAIL_URL" in smtp.message
        with pytest.raises(CommandError) as failed:
            call_command("doctor")
        assert failed.value.returncode == 1


def test_a_reachable_smtp_server_is_ok():
    server = FakeSmtp()
    server.start()
    with _smtp_settings(server.port):
        (smtp,) = doctor.check_smtp(timeout=5)
    server.join(5)
    assert smtp.status == doctor.OK, smtp.message


def test_console_mail_is_ok():
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"):
        assert doctor.check_smtp() == [
            doctor.Check("smtp", doctor.OK, "console (mail is printed, not sent)")
        ]


def test_production_problems_are_failures(monkeypatch):
    monkeypatch.setenv("PAPERFEED_PRODUCTION", "1")
    monkeypatch.delenv("PAPERFEED_ALLOWED_HOSTS", raising=False)
    with override_settings(DEBUG=True):
        failures = [c.message for c in doctor.check_settings() if c.status == doctor.FAIL]
    assert any("PAPERFEED_DEBUG" in m for m in failures)
    assert any("PAPERFEED_ALLOWED_HOSTS" in m for m in failures)


def test_debug_outside_production_warns(monkeypatch):
    monkeypatch.setenv("PAPERFEED_PRODUCTION", "0")
    with override_settings(DEBUG=True):
        (first, _) = doctor.check_settings()
    assert first.status == doctor.WARN and "PAPERFEED_DEBUG=0" in first.message


def test_an_unwritable_data_directory_fails(tmp_path):
    (tmp_path / "file").write_text("x")
    with override_settings(DATA_DIR=tmp_path / "file" / "data"):
        (check,) = doctor.check_data_dir()
    assert check.status == doctor.FAIL and "not writable" in check.message


@pytest.mark.slow
def test_cli_pending_migrations_then_healthy_then_smtp_down(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    pending = run_cli("doctor", home=home)
    assert pending.returncode == 1
    assert b"FAIL  migrations" in pending.stdout and b"paperfeed init" in pending.stdout
    assert run_cli("init", home=home).returncode == 0
    healthy = run_cli("doctor", home=home)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert b"OK    smtp: console" in healthy.stdout
    down = run_cli("doctor", home=home, env={"EMAIL_URL": f"smtp://127.0.0.1:{free_port()}"})
    assert down.returncode == 1
    assert b"FAIL  smtp" in down.stdout


# -- signal sources: a line each, a failure is a warning ------------------------------------


def _signal_checks() -> dict[str, doctor.Check]:
    return {c.name.removeprefix("signals "): c for c in doctor.check_signals()}


@pytest.mark.django_db
def test_each_signal_source_has_a_line_and_an_empty_url_switches_it_off(settings):
    settings.PAPERFEED_PWC_API_URL = ""
    checks = _signal_checks()
    assert list(checks) == ["hf", "github", "s2", "pwc"]
    assert all(c.status == doctor.OK for c in checks.values())
    assert checks["pwc"].message.startswith("switched off (PAPERFEED_PWC_API_URL is empty)")
    assert checks["pwc"].detail["switched_off"] is True
    s2 = checks["s2"]
    assert s2.message.startswith("never fetched (run `paperfeed fetch s2`); ")
    assert "0 papers asked, 0 with S2 data" in s2.message


@pytest.mark.django_db
def test_a_failed_or_paused_source_warns_without_failing_the_doctor(data_home):
    now = timezone.now()
    signal_state.succeeded("s2", {"asked": 21})
    signal_state.failed("s2", "s2: HTTP 400 Bad Request: 'Unrecognized fields' (URL)", {})
    signal_state.failed(
        "github", "github: rate limited (HTTP 403)", {}, paused=now + dt.timedelta(hours=1)
    )
    checks = _signal_checks()
    s2 = checks["s2"]
    assert s2.status == doctor.WARN
    assert "last failure" in s2.message and "Unrecognized fields" in s2.message
    assert "a later `paperfeed fetch s2` resumes" in s2.message
    github = checks["github"]
    assert github.status == doctor.WARN and "rate limited: paused until" in github.message
    assert github.detail["paused_until"] is not None
    assert [
        c for c in doctor.run_checks() if c.name.startswith("signals") and c.status == doctor.FAIL
    ] == []
    # a success after the failure: OK again, the last failure still shown
    signal_state.succeeded("s2", {"asked": 3})
    again = _signal_checks()["s2"]
    assert again.status == doctor.OK and "last failure" in again.message
    # a pause that has run out is no longer shown
    SourceState.objects.filter(source="github").update(paused_until=now - dt.timedelta(seconds=1))
    assert "paused" not in _signal_checks()["github"].message


@pytest.mark.django_db
def test_counts_of_papers_carrying_each_sources_signals(data_home, capsys):
    _ingest(["2606.00001", "2606.00002", "2606.00003"])
    sync_indexes()
    store.save_signals(
        {
            "2606.00001": {"hf_upvotes": 25, "hf_day": dt.date(2026, 6, 12), "ai_summary": "S."},
            "2606.00002": {
                "hf_upvotes": 0,
                "s2_id": "abc",
                "tldr": "T.",
                "venue": "ACL 2025",
                "s2_fetched_at": timezone.now(),
            },
            "2606.00003": {"s2_fetched_at": timezone.now()},  # asked, S2 did not know it
        }
    )
    store.link_repositories({"2606.00002": [("github", "MiniMax-AI/MSA")]}, "arxiv")
    store.link_repositories({"2606.00003": [("github", "a/b")]}, "pwc")
    checks = _signal_checks()
    assert "2 papers with HF upvotes, 1 on HF's daily list, 1 with an AI summary" in (
        checks["hf"].message
    )
    assert "2 papers with code, 0 with stars" in checks["github"].message
    assert "2 not fetched yet" in checks["github"].message
    assert "2 papers asked, 1 with S2 data, 1 with a TL;DR, 1 with a venue" in checks["s2"].message
    assert checks["pwc"].detail["counts"] == {"papers with PwC code links": 1}
    call_command("doctor", "--json")
    out = json.loads(capsys.readouterr().out)
    by_name = {c["name"]: c for c in out["checks"]}
    assert by_name["signals s2"]["detail"]["counts"]["with S2 data"] == 1
    assert by_name["signals s2"]["detail"]["url_setting"] == "PAPERFEED_S2_API_URL"
    assert "detail" not in by_name["smtp"]


@pytest.mark.django_db
@pytest.mark.network
def test_a_real_failed_fetch_shows_in_the_doctor(settings, monkeypatch):
    clock = FakeTime()
    monkeypatch.setattr(s2_source, "pause", clock.sleep)
    _ingest(["2606.00001"])
    with FakeArxiv() as service:
        service.route("/graph/v1/paper/batch", {}, recorded("semantic-scholar", "429.json"))
        settings.PAPERFEED_S2_API_URL = service.url
        with pytest.raises(RateLimited):
            fetching.run("s2", fetching.Options(), progress=fetching.no_progress)
    assert clock.sleeps == [1, 2, 4, 8]
    s2 = _signal_checks()["s2"]
    assert s2.status == doctor.WARN
    assert "Too Many Requests" in s2.message and "paused until" in s2.message

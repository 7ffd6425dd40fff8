"""``paperfeed alerts send|preview``."""

from __future__ import annotations

import datetime as dt
import io
import smtplib

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from paperfeed.digests.models import AlertedPaper, AlertSend
from paperfeed.personal.models import Follow
from tests.digests.alert_helpers import BUCKET_END, NOW, follow, follow_author, paper, reader

pytestmark = pytest.mark.django_db
FRESH = BUCKET_END - dt.timedelta(minutes=5)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("alerts", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_send_mails_the_due_alerts_once():
    ada = reader("ada")
    follow(ada, Follow.CATEGORY, "cs.LG")
    paper(FRESH, categories=["cs.LG"])
    assert run("send", "--now", NOW.isoformat()).strip() == (
        "alerts: planned 1, sent 1, empty 0, skipped 0, retry later 0, failed 0"
    )
    assert "sent 0," in run("send", "--now", NOW.isoformat())
    assert len(mail.outbox) == 1


def test_send_exits_1_when_an_alert_waits_for_a_retry(monkeypatch):
    ada = reader("ada")
    follow(ada, Follow.CATEGORY, "cs.LG")
    paper(FRESH, categories=["cs.LG"])

    def down(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("the server went away")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", down)
    with pytest.raises(SystemExit) as exc:
        run("send", "--now", NOW.isoformat())
    assert exc.value.code == 1


def test_preview_prints_each_next_alert_and_writes_nothing():
    ada = reader("ada")
    follow_paper = paper(BUCKET_END + dt.timedelta(minutes=1), authors=["Grace Hopper"])
    follow_author(ada, "Grace Hopper")
    follow(ada, Follow.CATEGORY, "cs.CL", Follow.DAILY)
    out = run("preview", "ada@example.org", "--now", NOW.isoformat())
    assert out.count("Subject: paperfeed: 1 new paper") == 2  # the instant and the daily alert
    assert follow_paper.pk in out and "To: ada@example.org" in out
    html = run("preview", "ada", "--frequency", "instant", "--html", "--now", NOW.isoformat())
    assert html.lower().startswith("<!doctype html>") and follow_paper.pk in html
    assert not mail.outbox
    assert not AlertSend.objects.exists() and not AlertedPaper.objects.exists()


def test_preview_of_an_unknown_account_exits_2_and_one_without_alerts_says_so():
    reader("bob")
    with pytest.raises(CommandError) as exc:
        run("preview", "nobody")
    assert exc.value.returncode == 2
    assert "bob has no follow with a mail alert" in run("preview", "bob")

"""``paperfeed digest send|preview``, the staff preview page, the subscriber admin."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from paperfeed.digests import send
from paperfeed.digests.models import DigestSend, Subscriber
from tests.digests.test_send_ledger import NOW, active, all_papers
from tests.web.conftest import make_user, record, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def builder(monkeypatch):
    monkeypatch.setattr(send, "default_builder", all_papers)
    monkeypatch.setattr(send, "default_build_many", send.one_by_one(all_papers))


def run(*args) -> str:
    out = io.StringIO()
    call_command("digest", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_send_then_rerun_sends_nothing_twice(builder):
    store(record("2026-11-26"))
    active("a@example.org")
    active("b@example.org", frequency="weekly")
    out = run("send", "--now", NOW.isoformat(), "--frequency", "daily")
    assert "sent 1" in out and [m.to for m in mail.outbox] == [["a@example.org"]]
    assert "sent 1" in run("send", "--now", NOW.isoformat())  # now the weekly one too
    assert "planned 0, sent 0" in run("send", "--now", NOW.isoformat())
    assert [m.to for m in mail.outbox] == [["a@example.org"], ["b@example.org"]]


def test_dry_run_lists_and_writes_nothing(builder):
    store(record("2026-11-26"), record("2026-11-26"))
    active("a@example.org")
    out = run("send", "--dry-run", "--now", NOW.isoformat())
    assert "a@example.org\tdaily:2026-11-27\t2 papers" in out
    assert not mail.outbox and not DigestSend.objects.exists()


def test_preview_prints_the_next_digest(builder):
    [paper] = store(record("2026-11-26", title="A previewed paper"))
    active("ada@example.org")
    out = run("preview", "ADA@example.org", "--now", NOW.isoformat())
    assert "A previewed paper" in out and "Daily digest, 28 November 2026" in out
    assert "<html" in run("preview", "ada@example.org", "--html")
    with pytest.raises(CommandError, match="no subscriber"):
        run("preview", "nobody@example.org")


def test_failed_sends_exit_1(builder, monkeypatch):
    store(record("2026-11-26"))
    active("a@example.org")

    def broken(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", broken)
    with pytest.raises(SystemExit) as exc:
        run("send", "--now", NOW.isoformat())
    assert exc.value.code == 1


def test_staff_preview_page(client, builder):
    store(record("2026-11-26", title="A previewed paper"))
    sub = active("ada@example.org")
    url = f"/digests/preview/{sub.pk}"
    assert client.get(url).status_code == 302  # to the admin log-in
    client.force_login(make_user("plain"))
    assert client.get(url).status_code == 302
    staff = make_user("staff", is_staff=True)
    client.force_login(staff)
    page = client.get(url)
    assert page.status_code == 200 and b"A previewed paper" in page.content
    text = client.get(url + "?format=text")
    assert text["Content-Type"].startswith("text/plain") and b"A previewed paper" in text.content
    assert not DigestSend.objects.exists() and not mail.outbox


def test_admin_lists_hard_failing_subscribers(client):
    Subscriber.objects.create(email="gone@example.org", status="paused", hard_failures=3)
    Subscriber.objects.create(email="fine@example.org", status="active")
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/digests/subscriber/?delivery=failing")
    assert b"gone@example.org" in page.content and b"fine@example.org" not in page.content


def test_preview_period_is_after_now():
    sub = active("ada@example.org", send_hour=7)
    digest = send.preview(sub, NOW, build=all_papers)
    assert digest.period_key == "daily:2026-11-28"

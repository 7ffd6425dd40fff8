"""Mail alerts of follows: when they are due, which papers, each paper once, through the ledger."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from paperfeed.community.models import Vote
from paperfeed.digests import alerts, alerts_send, ledger, schedule
from paperfeed.digests.models import AlertedPaper, AlertMark, AlertSend, SignupSite, Subscriber
from paperfeed.personal.models import Follow, Mute, Preferences, Seen
from tests.digests.alert_helpers import (
    BUCKET_END,
    DAY,
    NOW,
    follow,
    follow_author,
    paper,
    reader,
)

pytestmark = pytest.mark.django_db
FRESH = BUCKET_END - dt.timedelta(minutes=5)  # stored in the bucket that ended at 09:30


def ids(message) -> list[str]:
    return [line.split(" · ")[1] for line in message.body.splitlines() if " · " in line]


def test_instant_periods_are_ten_minute_buckets_keyed_by_their_end():
    period = schedule.instant_period(NOW)
    assert period.key == "instant:2026-12-07T09:30"
    assert (period.start, period.end) == (BUCKET_END - dt.timedelta(minutes=10), BUCKET_END)
    assert schedule.period_from_key(period.key, 7, "Europe/Paris") == period
    assert schedule.period_containing("instant", 7, "UTC", NOW) == period
    assert schedule.next_period("instant", 7, "UTC", NOW).key == "instant:2026-12-07T09:40"
    for bad in ("instant:2026-12-07T09:35", "instant:yesterday"):
        with pytest.raises(ValueError, match="period key"):
            schedule.period_from_key(bad, 7, "UTC")


def test_an_instant_alert_mails_the_new_papers_of_a_follow_once():
    ada = reader("ada")
    before = paper(NOW - dt.timedelta(days=8), DAY - dt.timedelta(days=8), authors=["Grace Hopper"])
    follow_author(ada, "Grace Hopper")
    new = paper(FRESH, authors=["Grace Hopper", "Alan Turing"])
    paper(FRESH, authors=["Alan Turing"])  # not followed
    outcome = alerts_send.send_due(NOW)
    assert (outcome.planned, outcome.sent) == (1, 1)
    [message] = mail.outbox
    assert message.to == ["ada@example.org"] and ids(message) == [new.pk]
    assert before.pk not in message.body  # stored before the follow was made
    assert "== Author: Grace Hopper ==" in message.body
    assert "Why: By Grace Hopper, whom you follow" in message.body
    row = AlertSend.objects.get()
    assert row.state == "sent" and message.extra_headers["Message-ID"] == row.message_id
    assert list(AlertedPaper.objects.values_list("paper_id", flat=True)) == [new.pk]
    assert AlertMark.objects.get().until == BUCKET_END
    # the same bucket again, then later ones: nothing new, no mail; once the window has
    # passed the grace hour after the last paper stored, no more ledger rows either
    assert alerts_send.send_due(NOW).sent == 0
    assert alerts_send.send_due(NOW + dt.timedelta(hours=3)).sent == 0
    assert alerts_send.send_due(NOW + dt.timedelta(hours=3, minutes=10)).planned == 0
    assert len(mail.outbox) == 1


def test_a_paper_two_follows_match_is_mailed_once_under_the_first_naming_both():
    ada = reader("ada")
    both = paper(FRESH, authors=["Grace Hopper"], categories=["cs.LG"])
    only_category = paper(FRESH, authors=["Alan Turing"], categories=["cs.LG"])
    follow(ada, Follow.CATEGORY, "cs.LG")
    follow_author(ada, "Grace Hopper")
    follow(ada, Follow.CATEGORY, "cs.AI", Follow.DAILY)  # another frequency: another mail
    alerts_send.send_due(NOW)
    [message] = mail.outbox
    body = message.body
    assert ids(message) == [both.pk, only_category.pk]  # each once
    assert body.index("== Author: Grace Hopper ==") < body.index(both.pk)
    assert body.index(both.pk) < body.index("== Category: cs.LG ==")
    assert "By Grace Hopper, whom you follow; in cs.LG, which you follow" in body
    assert "2 new papers" in message.subject


def test_a_paper_alerted_once_never_comes_back_in_another_alert():
    ada = reader("ada")
    shared = paper(FRESH, authors=["Grace Hopper"], categories=["cs.LG"])
    follow_author(ada, "Grace Hopper")  # instant
    follow(ada, Follow.CATEGORY, "cs.LG", Follow.DAILY)
    assert alerts_send.send_due(NOW).sent == 1
    # the next morning's daily alert covers the same paper: already alerted, nothing to send
    outcome = alerts_send.send_due(dt.datetime(2026, 12, 8, 7, 5, tzinfo=dt.UTC))
    assert outcome.sent == 0 and AlertSend.objects.get(period_key="daily:2026-12-08").state == (
        "empty"
    )
    assert AlertedPaper.objects.get().paper_id == shared.pk and len(mail.outbox) == 1


def test_two_alerts_of_a_user_cannot_reserve_the_same_paper():
    ada = reader("ada")
    shared = paper(FRESH, authors=["Grace Hopper"], categories=["cs.LG"])
    follow_author(ada, "Grace Hopper")
    follow(ada, Follow.CATEGORY, "cs.LG", Follow.DAILY, made=NOW - dt.timedelta(days=7))
    instant = AlertSend.objects.create(user=ada, period_key="instant:2026-12-07T09:30")
    daily = AlertSend.objects.create(user=ada, period_key="daily:2026-12-08")
    # both built before either is sent (two senders at once): the unique row decides
    assert [p.paper_id for p in alerts.reserve(instant, BUCKET_END)] == [shared.pk]
    assert alerts.reserve(daily, dt.datetime(2026, 12, 8, 7, tzinfo=dt.UTC)) == []


def test_daily_and_weekly_alerts_at_the_users_digest_hour_else_seven_utc():
    ada, bob = reader("ada"), reader("bob")
    Subscriber.objects.create(email="x@example.org", user=ada, status="unsubscribed", send_hour=5)
    Subscriber.objects.create(
        email="ada@example.org", user=ada, status="active", send_hour=10, timezone="Europe/Paris"
    )
    paper(NOW - dt.timedelta(hours=12), categories=["cs.LG"])
    for user in (ada, bob):
        follow(user, Follow.CATEGORY, "cs.LG", Follow.DAILY)
        follow(user, Follow.CATEGORY, "cs.CL", Follow.WEEKLY)
    due = {(user, p.key, p.end) for user, p in alerts.due(NOW)}
    at = dt.datetime
    assert due == {
        (ada.pk, "daily:2026-12-07", at(2026, 12, 7, 9, tzinfo=dt.UTC)),  # 10:00 in Paris
        (ada.pk, "weekly:2026-W50", at(2026, 12, 7, 9, tzinfo=dt.UTC)),
        (bob.pk, "daily:2026-12-07", at(2026, 12, 7, 7, tzinfo=dt.UTC)),
        (bob.pk, "weekly:2026-W50", at(2026, 12, 7, 7, tzinfo=dt.UTC)),
    }
    early = dt.datetime(2026, 12, 7, 8, 30, tzinfo=dt.UTC)  # 9:30 in Paris: ada's not yet
    assert ("daily:2026-12-06", ada.pk) in {(p.key, u) for u, p in alerts.due(early)}


def test_muted_papers_are_left_out_and_seen_ones_when_the_user_hides_them():
    ada = reader("ada")
    follow(ada, Follow.CATEGORY, "cs.LG")
    kept = paper(FRESH, categories=["cs.LG"])
    muted = paper(FRESH, categories=["cs.LG"], title="Diffusion models again")
    opened = paper(FRESH, categories=["cs.LG"])
    voted = paper(FRESH, categories=["cs.LG"])
    Mute.objects.create(user=ada, kind=Mute.KEYWORD, value="diffusion")
    Seen.objects.create(user=ada, paper=opened)
    Vote.objects.create(user=ada, paper=voted)
    choices, _ = alerts.choose(ada, Follow.INSTANT, BUCKET_END)
    assert {c.paper_id for c in choices} == {kept.pk, opened.pk, voted.pk}  # seen: dimmed
    Preferences.objects.create(user=ada, seen=Preferences.SEEN_HIDE)
    alerts_send.send_due(NOW)
    [message] = mail.outbox
    assert ids(message) == [kept.pk] and muted.pk not in message.body


def test_the_window_runs_from_the_last_alert_and_skips_old_papers_imported_late():
    ada = reader("ada")
    f = follow(ada, Follow.CATEGORY, "cs.LG")
    AlertMark.objects.create(follow=f, until=BUCKET_END - dt.timedelta(hours=3))
    late_commit = paper(BUCKET_END - dt.timedelta(hours=3, minutes=20), categories=["cs.LG"])
    too_early = paper(BUCKET_END - dt.timedelta(hours=5), categories=["cs.LG"])
    old_listing = paper(FRESH, DAY - dt.timedelta(days=30), categories=["cs.LG"])
    new = paper(FRESH, categories=["cs.LG"])
    alerts_send.send_due(NOW)
    [message] = mail.outbox
    assert sorted(ids(message)) == sorted([new.pk, late_commit.pk])  # within the grace hour
    assert too_early.pk not in message.body and old_listing.pk not in message.body
    # a paper stored after the bucket waits for the next one
    later = paper(BUCKET_END + dt.timedelta(minutes=2), categories=["cs.LG"])
    assert alerts_send.send_due(NOW).sent == 0
    alerts_send.send_due(NOW + dt.timedelta(minutes=10))
    assert ids(mail.outbox[1]) == [later.pk]


def test_links_follow_the_site_and_the_mail_can_stop_every_alert():
    ada = reader("ada")
    follow(ada, Follow.CATEGORY, "cs.LG")
    new = paper(FRESH, categories=["cs.LG"])
    SignupSite.objects.create(user=ada, site_url="https://papers.example.org")
    with override_settings(PAPERFEED_BASE_URL="http://localhost:8000"):  # the unset default
        alerts_send.send_due(NOW)
    [message] = mail.outbox
    html = message.alternatives[0][0]
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("https://papers.example.org/alerts/off/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"https://papers.example.org/papers/{new.pk}" in message.body
    follows = "https://papers.example.org" + reverse("personal:follows")
    for part in (message.body, html):
        assert follows in part and unsubscribe in part
        assert "localhost" not in part
    assert "<style" not in html and 'style="' in html  # CSS inlined, as digests
    with override_settings(PAPERFEED_BASE_URL="https://feed.example.com"):
        assert alerts.preview(ada, Follow.INSTANT, NOW) is not None
        from paperfeed.digests import compose

        links = compose.alert_links(alerts.recipient(ada))
    assert links["manage_url"] == "https://feed.example.com" + reverse("personal:follows")


def test_accounts_without_a_verified_address_or_inactive_get_nothing():
    unverified = reader("eve", verified=False)
    gone = reader("zed")
    for user in (unverified, gone):
        follow(user, Follow.CATEGORY, "cs.LG")
    gone.is_active = False
    gone.save()
    paper(FRESH, categories=["cs.LG"])
    outcome = alerts_send.send_due(NOW)
    assert (outcome.planned, outcome.skipped, outcome.sent) == (1, 1, 0)  # the inactive: none
    assert AlertSend.objects.get().last_error == "no verified address"
    assert not mail.outbox and not AlertedPaper.objects.exists()


class Flaky:
    """An email backend whose sends fail with ``error`` while ``failing``."""

    failing: Exception | None = None
    sent: list = []

    def __init__(self, *args, **kwargs):
        self.connection = None

    def open(self):
        self.connection = object()

    def close(self):
        self.connection = None

    def send_messages(self, messages):
        if Flaky.failing:
            raise Flaky.failing
        Flaky.sent.extend(messages)
        return len(messages)


@override_settings(EMAIL_BACKEND="tests.digests.test_alerts.Flaky")
def test_a_transient_failure_resends_the_same_papers_with_the_same_message_id():
    ada = reader("ada")
    follow(ada, Follow.CATEGORY, "cs.LG")
    first = paper(FRESH, categories=["cs.LG"])
    Flaky.failing, Flaky.sent = smtplib.SMTPServerDisconnected("gone"), []
    outcome = alerts_send.send_due(NOW)
    assert (outcome.retried, outcome.sent) == (1, 0)
    row = AlertSend.objects.get()
    assert row.state == "pending" and row.next_attempt_at > NOW
    # meanwhile a paper of the same bucket shows up late: the resend is the reserved mail,
    # the late paper goes into the next bucket's alert
    late = paper(FRESH, categories=["cs.LG"])
    Flaky.failing = None
    assert alerts_send.send_due(row.next_attempt_at).sent == 2
    resent, following = Flaky.sent
    assert ids(resent) == [first.pk] and resent.extra_headers["Message-ID"] == row.message_id
    assert ids(following) == [late.pk]


@override_settings(EMAIL_BACKEND="tests.digests.test_alerts.Flaky")
def test_a_given_up_alert_frees_its_papers_for_the_next_one():
    ada = reader("ada")
    follow(ada, Follow.CATEGORY, "cs.LG")
    lost = paper(FRESH, categories=["cs.LG"])
    Flaky.failing = smtplib.SMTPRecipientsRefused({"ada@example.org": (550, b"no such user")})
    Flaky.sent = []
    assert alerts_send.send_due(NOW).failed == 1
    assert AlertSend.objects.get().state == "failed" and not AlertedPaper.objects.exists()
    assert not AlertMark.objects.exists()  # the window did not move
    Flaky.failing = None
    alerts_send.send_due(NOW + dt.timedelta(minutes=10))
    assert [ids(m) for m in Flaky.sent] == [[lost.pk]]


def test_a_sender_killed_after_reserving_is_taken_over_and_sends_the_reservation():
    ada = reader("ada")
    follow(ada, Follow.CATEGORY, "cs.LG")
    first = paper(FRESH, categories=["cs.LG"])
    alerts_send.plan(NOW)
    row = alerts_send.claim_next(NOW, "elsewhere:1")
    alerts.reserve(row, BUCKET_END)  # ... and the process dies before sending
    assert alerts_send.send_due(NOW, me="here:2").sent == 0  # the claim has not expired
    later = NOW + dt.timedelta(seconds=ledger.CLAIM_SECONDS + 1)
    assert alerts_send.send_due(later, me="here:2").sent == 1
    [message] = mail.outbox
    assert ids(message) == [first.pk]
    assert message.extra_headers["Message-ID"] == AlertSend.objects.get(pk=row.pk).message_id


def test_old_empty_rows_are_pruned():
    ada = reader("ada")
    follow(ada, Follow.CATEGORY, "cs.LG")
    paper(FRESH, categories=["cs.CL"])  # stored, but not followed: an empty alert
    assert alerts_send.send_due(NOW).empty == 1
    AlertSend.objects.update(created=NOW - dt.timedelta(days=3))
    alerts_send.prune(NOW)
    assert not AlertSend.objects.exists()


def test_signing_up_stores_the_host_only_when_allowed_hosts_names_it(rf, settings):
    from allauth.account.signals import user_signed_up

    settings.ALLOWED_HOSTS = ["papers.example.org", ".wild.example"]
    ada, bob = reader("ada"), reader("bob")
    user_signed_up.send(None, request=rf.get("/", HTTP_HOST="papers.example.org"), user=ada)
    user_signed_up.send(None, request=rf.get("/", HTTP_HOST="x.wild.example"), user=bob)
    assert dict(SignupSite.objects.values_list("user_id", "site_url")) == {
        ada.pk: "http://papers.example.org"
    }


def test_the_admin_shows_the_alert_ledger_with_each_rows_papers(staff):
    ada = reader("ada")
    follow(ada, Follow.CATEGORY, "cs.LG")
    new = paper(FRESH, categories=["cs.LG"])
    alerts_send.send_due(NOW)
    row = AlertSend.objects.get()
    listing = staff.get(reverse("admin:digests_alertsend_changelist"))
    assert listing.status_code == 200 and b"instant:2026-12-07T09:30" in listing.content
    page = staff.get(reverse("admin:digests_alertsend_change", args=[row.pk]))
    assert page.status_code == 200 and new.pk.encode() in page.content

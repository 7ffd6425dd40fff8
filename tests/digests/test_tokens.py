from __future__ import annotations

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from paperfeed.digests import tokens
from paperfeed.digests.models import Subscriber, validate_timezone

pytestmark = pytest.mark.django_db


def subscriber(email="ada@example.org") -> Subscriber:
    return Subscriber.objects.create(email=email)


def test_round_trip_names_the_subscriber():
    sub = subscriber()
    token = tokens.make_token(sub, "unsubscribe")
    assert tokens.read_token(token, "unsubscribe").subscriber == sub


def test_token_is_refused_for_another_purpose():
    sub = subscriber()
    token = tokens.make_token(sub, "manage")
    with pytest.raises(tokens.BadToken):
        tokens.read_token(token, "unsubscribe")


def test_tampered_token_is_refused():
    sub = subscriber()
    other = subscriber("bob@example.org")
    token = tokens.make_token(sub, "unsubscribe")
    value, _, signature = token.rpartition(":")
    forged_value = signing.dumps(
        [other.pk, tokens.address_tag(other.email)], salt="x", compress=False
    ).split(":")[0]
    with pytest.raises(tokens.BadToken):
        tokens.read_token(f"{forged_value}:{signature}", "unsubscribe")
    with pytest.raises(tokens.BadToken):
        tokens.read_token(token[:-2], "unsubscribe")


def test_token_stops_working_when_the_address_changes():
    sub = subscriber()
    token = tokens.make_token(sub, "manage")
    sub.email = "someone-else@example.org"
    sub.save()
    with pytest.raises(tokens.BadToken, match="no longer"):
        tokens.read_token(token, "manage")


def test_token_for_a_deleted_subscriber_does_not_pass_to_a_new_one():
    sub = subscriber()
    token = tokens.make_token(sub, "unsubscribe")
    pk = sub.pk
    sub.delete()
    Subscriber.objects.create(pk=pk, email="new@example.org")
    with pytest.raises(tokens.BadToken):
        tokens.read_token(token, "unsubscribe")


def test_confirmation_tokens_expire():
    sub = subscriber()
    token = tokens.make_token(sub, "confirm")
    assert tokens.read_token(token, "confirm").subscriber == sub
    with pytest.raises(tokens.BadToken, match="expired"):
        tokens.read_token(token, "confirm", max_age=-1)


def test_feedback_token_carries_paper_and_signal():
    sub = subscriber()
    token = tokens.feedback_token(sub, "2411.00001", -1)
    assert tokens.read_token(token, "feedback").extra == ("2411.00001", -1)
    with pytest.raises(ValueError):
        tokens.feedback_token(sub, "2411.00001", 2)


def test_email_is_normalised_and_unique():
    subscriber("  Ada@Example.ORG ")
    assert Subscriber.objects.get().email == "ada@example.org"
    with pytest.raises(IntegrityError):
        subscriber("ADA@example.org")


def test_time_zone_must_be_a_zoneinfo_name():
    validate_timezone("Europe/Paris")
    validate_timezone("UTC")
    with pytest.raises(ValidationError, match="Mars/Olympus"):
        validate_timezone("Mars/Olympus")

"""API tokens: shown once, hashed at rest, constant-time check, revocable; the tokens page."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.contrib.auth import get_user_model

from paperfeed.accounts import tokens
from paperfeed.accounts.models import ApiToken


@pytest.mark.django_db
def test_create_returns_the_raw_token_once_and_stores_a_hash(alice):
    raw = tokens.create_token(alice, "notebook")
    assert re.fullmatch(r"pf_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", raw)
    stored = ApiToken.objects.get()
    prefix, secret = raw.split("_", 2)[1:]
    assert stored.prefix == prefix and stored.name == "notebook"
    assert stored.hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {stored.hash, stored.prefix, stored.name}
    assert tokens.authenticate_token(raw) == alice


@pytest.mark.django_db
def test_wrong_malformed_revoked_or_inactive_tokens_fail(alice):
    raw = tokens.create_token(alice, "ci")
    prefix, secret = raw.split("_", 2)[1:]
    flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    for bad in (
        f"pf_{prefix}_{flipped}",
        f"pf_deadbeef_{secret}",
        "",
        "pf_",
        "Bearer " + raw,
        raw.replace("pf_", "xx_", 1),
        None,
        42,
    ):
        assert tokens.authenticate_token(bad) is None, bad
    # an inactive account's token is refused even where its row was left unrevoked (a bulk
    # update sends no signal; accounts.revocation revokes on every save)
    get_user_model().objects.filter(pk=alice.pk).update(is_active=False)
    assert ApiToken.objects.get().active
    assert tokens.authenticate_token(raw) is None
    get_user_model().objects.filter(pk=alice.pk).update(is_active=True)
    assert tokens.authenticate_token(raw) == alice
    token = ApiToken.objects.get()
    assert tokens.revoke_token(alice, token.pk) is True
    assert tokens.revoke_token(alice, token.pk) is False
    assert tokens.authenticate_token(raw) is None


@pytest.mark.django_db
def test_secret_with_underscores_parses(alice):
    raw = tokens.create_token(alice, "x")
    prefix = raw.split("_")[1]
    secret = "abc_def_" + "z" * 30
    ApiToken.objects.filter(prefix=prefix).update(hash=hashlib.sha256(secret.encode()).hexdigest())
    assert tokens.authenticate_token(f"pf_{prefix}_{secret}") == alice


@pytest.mark.django_db
def test_last_used_is_recorded(alice, django_assert_max_num_queries):
    raw = tokens.create_token(alice, "x")
    with django_assert_max_num_queries(2):
        tokens.authenticate_token(raw)
    first = ApiToken.objects.get().last_used
    assert first is not None
    with django_assert_max_num_queries(1):  # within a minute: no second write
        tokens.authenticate_token(raw)
    assert ApiToken.objects.get().last_used == first


@pytest.mark.django_db
def test_compare_is_constant_time(alice, monkeypatch):
    raw = tokens.create_token(alice, "x")
    seen = []
    real = tokens.hmac.compare_digest
    monkeypatch.setattr(tokens.hmac, "compare_digest", lambda a, b: seen.append(1) or real(a, b))
    tokens.authenticate_token(raw)
    tokens.authenticate_token("pf_00000000_" + "x" * 43)  # unknown prefix: still one compare
    assert len(seen) == 2


@pytest.mark.django_db
def test_names_and_limits(alice):
    with pytest.raises(tokens.TokenError, match="give the token a name"):
        tokens.create_token(alice, "  ")
    with pytest.raises(tokens.TokenError, match="limit is 100"):
        tokens.create_token(alice, "x" * 101)
    for i in range(tokens.MAX_ACTIVE_TOKENS):
        tokens.create_token(alice, f"t{i}")
    with pytest.raises(tokens.TokenError, match="revoke one first"):
        tokens.create_token(alice, "one too many")


@pytest.mark.django_db
def test_revoking_someone_elses_token_does_nothing(alice, bob):
    raw = tokens.create_token(alice, "x")
    assert tokens.revoke_token(bob, ApiToken.objects.get().pk) is False
    assert tokens.authenticate_token(raw) == alice

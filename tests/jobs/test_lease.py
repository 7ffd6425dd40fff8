"""The named database lease: one holder until it expires or its process is gone."""

from __future__ import annotations

import datetime as dt

import pytest

from paperfeed.jobs import lease
from tests.digests.test_send_ledger import NOW

pytestmark = pytest.mark.django_db


def test_lease_has_one_holder_until_it_expires():
    assert lease.acquire("job", "a", NOW, 60)
    assert not lease.acquire("job", "b", NOW + dt.timedelta(seconds=30), 60)
    assert lease.acquire("job", "a", NOW + dt.timedelta(seconds=30), 60)  # renewal
    assert not lease.acquire("job", "b", NOW + dt.timedelta(seconds=89), 60)
    assert lease.acquire("job", "b", NOW + dt.timedelta(seconds=91), 60)  # a's lease expired
    assert not lease.release("job", "a")
    assert lease.release("job", "b")
    assert lease.acquire("job", "c", NOW, 60)

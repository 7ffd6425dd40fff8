"""The library tests' data: the API tests' papers and users (alice, bob), and carol."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.api.conftest import alice, alice_api, alice_token, bob, papers  # noqa: F401
from tests.community.conftest import arxiv, no_arxiv  # noqa: F401


@pytest.fixture
def carol(db):
    return get_user_model().objects.create_user("carol", "carol@example.org", "a third secret")

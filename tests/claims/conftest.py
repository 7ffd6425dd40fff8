"""The claims tests' data: the API tests' papers (Alan Turing on two) and users alice, bob."""

from __future__ import annotations

import pytest

from paperfeed.papers.models import Author
from tests.api.conftest import alice, alice_api, alice_token, bob, papers  # noqa: F401


@pytest.fixture
def turing(papers):  # noqa: F811
    return Author.objects.get(name="Alan Turing")


@pytest.fixture
def ada(papers):  # noqa: F811
    return Author.objects.get(name="Ada Lovelace")

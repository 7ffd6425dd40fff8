"""The fake arXiv server (tests.ingest.arxiv_server) as fixtures for the ingest tests, and
``sync_calls``: the fetch commands' index syncs, recorded (with the paper count at each) instead
of run."""

import pytest

from paperfeed.papers.models import Paper
from paperfeed.search import refresh
from tests.ingest.arxiv_server import arxiv, fake_time  # noqa: F401


@pytest.fixture
def sync_calls(monkeypatch):
    """Each call of ``refresh.papers_changed`` as the number of papers stored at that moment."""
    calls = []

    def papers_changed(**options):
        calls.append(Paper.objects.count())
        return refresh.IndexUpdate()

    monkeypatch.setattr(refresh, "papers_changed", papers_changed)
    return calls

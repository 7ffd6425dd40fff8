"""The fake arXiv server (tests.ingest.arxiv_server) as fixtures for the ingest tests."""

from tests.ingest.arxiv_server import arxiv, fake_time  # noqa: F401

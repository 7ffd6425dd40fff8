"""Fixtures of other test packages that the jobs' tests use."""

from tests.ingest.arxiv_server import arxiv  # noqa: F401 - the fake arXiv server

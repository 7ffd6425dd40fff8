"""Fixtures of other test packages that the jobs' tests use."""

from tests.harvest.conftest import arxiv  # noqa: F401 - the fake arXiv server

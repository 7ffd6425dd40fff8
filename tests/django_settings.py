"""Settings for the test suite: a throw-away data directory, SQLite unless
PAPERFEED_TEST_DATABASE_URL names another database (e.g. postgres://postgres@127.0.0.1:5432/test)."""

import os
import tempfile

os.environ["PAPERFEED_HOME"] = tempfile.mkdtemp(prefix="paperfeed-test-")
os.environ["DATABASE_URL"] = os.environ.get("PAPERFEED_TEST_DATABASE_URL", "")
os.environ["REDIS_URL"] = ""  # the task queue in the test database (tests/jobs/test_rq.py: Redis)
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-0123456789")
os.environ["PAPERFEED_PRODUCTION"] = "0"
os.environ["PAPERFEED_HARVEST_DELAY"] = "0"
os.environ["PAPERFEED_SIGNALS_DELAY"] = "0"
# no test talks to the real services: a test that fetches serves fixtures and sets the URL
for _name in ("PAPERFEED_HF_URL", "PAPERFEED_GITHUB_API_URL", "PAPERFEED_S2_API_URL"):
    os.environ[_name] = "http://127.0.0.1:9"  # discard port: refused at once
os.environ["PAPERFEED_PWC_API_URL"] = "http://127.0.0.1:9/api/v1"
os.environ["GITHUB_TOKEN"] = os.environ["S2_API_KEY"] = ""

from paperfeed.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# in-process tests run in transactions a background thread cannot see: no automatic catch-up
PAPERFEED_INDEX_CATCHUP_SECONDS = 0

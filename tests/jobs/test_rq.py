"""The RQ backend end to end: with REDIS_URL set, a task is enqueued into Redis and
``paperfeed worker --drain`` runs it with an RQ burst worker (on the suite's database: SQLite,
or a scratch PostgreSQL database in the PostgreSQL pass). Skipped when no Redis answers at
127.0.0.1:6379. The test takes a Redis database of its own (one nobody uses, claimed with a key)
so parallel runs do not drain each other's queue, and empties it afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import redis

from tests.conftest import REPO
from tests.ops.fault_support import paperfeed, scratch_store

pytestmark = pytest.mark.network

CLAIM = "paperfeed-test:claimed-by"

# migrate, store three papers, enqueue the index job; print the backend and the queue's length
_SETUP = """
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
import django_rq
from django_tasks import task_backends
from paperfeed.ingest.records import PaperRecord
from paperfeed.ingest.upsert import ingest
from paperfeed.jobs.tasks import update_indexes
ingest(
    PaperRecord(arxiv_id=f"2611.0000{i}", title_raw=f"Queued paper {i}", source="jsonl")
    for i in (1, 2, 3)
)
update_indexes.enqueue()
print(json.dumps({"backend": type(task_backends["default"]).__name__,
                  "queued": len(django_rq.get_queue("default"))}))
"""


@pytest.fixture
def redis_url() -> Iterator[str]:
    """``redis://127.0.0.1:6379/N`` for a database N that held nothing and is now ours."""
    try:
        redis.Redis(socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at 127.0.0.1:6379 does not answer ({exc})")
    for db in range(15, 0, -1):
        server = redis.Redis(db=db, socket_connect_timeout=2)
        if server.set(CLAIM, os.getpid(), nx=True, ex=600):
            if server.dbsize() == 1:  # only our claim: nobody else uses it
                try:
                    yield f"redis://127.0.0.1:6379/{db}"
                finally:
                    server.flushdb()
                return
            server.delete(CLAIM)
    pytest.skip("every Redis database 1-15 at 127.0.0.1:6379 is in use")


def test_a_task_goes_through_redis_and_a_worker_runs_it(tmp_path, redis_url):
    with scratch_store(tmp_path, "rq") as store:
        env = store.env(REDIS_URL=redis_url, DJANGO_SETTINGS_MODULE="paperfeed.settings")
        setup = subprocess.run(
            [sys.executable, "-c", _SETUP], capture_output=True, env=env, cwd=REPO, timeout=120
        )
        assert setup.returncode == 0, setup.stderr.decode(errors="replace")
        assert json.loads(setup.stdout) == {"backend": "RQBackend", "queued": 1}
        out = paperfeed(
            store, "worker", "--drain", "--no-fetch", "--no-embed", REDIS_URL=redis_url
        ).stdout.decode()
        status = paperfeed(store, "index", "--status", "--json").stdout
    # the queued job, then the scheduler's round: each run once, in this worker
    assert out.splitlines()[0] == "enqueued: index, send, alerts, prune", out
    assert out.count("index: ok") == 2 and "send: ok" in out and "prune: ok" in out, out
    assert "alerts: ok" in out, out
    assert json.loads(status)["papers_in_index"] == 3
    assert redis.Redis.from_url(redis_url).llen("rq:queue:default") == 0

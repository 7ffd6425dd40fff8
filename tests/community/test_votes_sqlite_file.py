"""The production SQLite setup (a WAL file, BEGIN IMMEDIATE, 30 s busy timeout) under threaded
voters, with the lock-retry loop turned off: writers queue on the busy timeout instead of
failing with "database is locked", and the kept count equals the vote rows."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import cli_env

SCRIPT = r"""
import json, threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection, connections
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from paperfeed.community import votes
from paperfeed.community.models import Vote
from paperfeed.papers.models import Paper

votes.LOCK_RETRIES = 0  # prove the settings alone keep writers from failing
paper = Paper.objects.create(arxiv_id="2501.00001", title="t", source="jsonl")
users = [get_user_model().objects.create_user(f"u{i}") for i in range(16)]
errors, barrier = [], threading.Barrier(len(users))

def churn(user, rounds):
    try:
        barrier.wait()
        for i in range(rounds):
            votes.toggle_vote(user, paper.pk)
            votes.set_vote(user, paper.pk, i % 2 == 0)
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connections.close_all()

rounds = [3 + (i % 4) for i in range(len(users))]
threads = [threading.Thread(target=churn, args=(u, r)) for u, r in zip(users, rounds)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({
    "errors": errors,
    "rows": Vote.objects.filter(paper=paper).count(),
    "count": Paper.objects.get(pk=paper.pk).upvotes,
    "expected": sum(1 for r in rounds if (r - 1) % 2 == 0),
    "options": connection.settings_dict["OPTIONS"],
}))
"""


@pytest.mark.slow
def test_threads_on_the_production_sqlite_file(tmp_path):
    env = {**cli_env(tmp_path), "DJANGO_SETTINGS_MODULE": "paperfeed.settings"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["options"]["transaction_mode"] == "IMMEDIATE"
    assert result["errors"] == []
    assert result["rows"] == result["count"] == result["expected"]

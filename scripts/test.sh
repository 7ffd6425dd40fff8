#!/usr/bin/env bash
# Set up and run paperfeed's full test suite: lint, then every test on SQLite, then on PostgreSQL.
# Usage: bash scripts/test.sh [extra pytest args]
# Tests run in PAPERFEED_TEST_WORKERS pytest-xdist processes (default 2: most of the slow tests wait
# on servers and subprocesses; each process has its own test database); 0 runs them in this one.
# PostgreSQL: PAPERFEED_TEST_PG (default postgres://postgres@127.0.0.1:5432/test). When no server
# answers there the PostgreSQL pass is skipped with a message — except under CI=true, where it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

# Browser tests drive Debian's Chromium through Playwright (never `playwright install`).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing chromium (apt)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "== chromium not installed and not root: browser tests will be skipped (apt-get install chromium)"
  fi
fi

echo "== ruff"
.venv/bin/ruff check src tests benchmarks scripts
.venv/bin/ruff format --check src tests benchmarks scripts

# The RQ queue test (tests/jobs/test_rq.py) talks to Redis at 127.0.0.1:6379 and skips when none
# answers; under CI a local redis-server is started when one is installed and none runs.
redis_up() { .venv/bin/python -c "import redis; redis.Redis(socket_connect_timeout=2).ping()" 2>/dev/null; }
if ! redis_up && [ "${CI:-}" = "true" ] && command -v redis-server >/dev/null; then
  redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no --daemonize yes >/dev/null || true
  sleep 1
fi

WORKERS=(-n "${PAPERFEED_TEST_WORKERS:-2}")

echo "== tests on SQLite"
.venv/bin/python -m pytest "${WORKERS[@]}" "$@"

PG_URL=${PAPERFEED_TEST_PG:-postgres://postgres@127.0.0.1:5432/test}
pg_up() { .venv/bin/python -c "import psycopg,sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$PG_URL" 2>/dev/null; }
if ! pg_up && [ "${CI:-}" = "true" ] && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  sleep 2
fi
if pg_up; then
  echo "== tests on PostgreSQL ($PG_URL)"
  PAPERFEED_TEST_DATABASE_URL="$PG_URL" .venv/bin/python -m pytest "${WORKERS[@]}" "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL at $PG_URL does not answer; CI must test both databases" >&2
  exit 1
else
  echo "== PostgreSQL at $PG_URL does not answer: PostgreSQL pass skipped (set PAPERFEED_TEST_PG)"
fi

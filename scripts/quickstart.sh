#!/usr/bin/env bash
# Set up paperfeed and load papers into the embedded default store (SQLite in ./paperfeed-data).
#   bash scripts/quickstart.sh                      # online: harvest the last days of arXiv cs
#   bash scripts/quickstart.sh FILE [FILE ...]      # offline: import files (e.g. ../shared/data/*.jsonl.gz)
# Precomputed vectors next to a file (FILE minus .jsonl.gz + .all-MiniLM-L6-v2.f16.npy/.ids.txt)
# are imported instead of embedding on the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
export PATH="$PWD/.venv/bin:$PATH"

paperfeed init
if [ "$#" -gt 0 ]; then
  paperfeed ingest "$@"
else
  paperfeed fetch arxiv --set cs --from "$(date -u -d '3 days ago' +%F)"
fi
paperfeed stats

#!/usr/bin/env bash
# Set up paperfeed, load papers into the embedded default store (SQLite in ./paperfeed-data),
# make them searchable, and serve the site at http://127.0.0.1:8000/ (Ctrl-C stops it).
#
#   bash scripts/quickstart.sh                      # online: harvest the last days of arXiv cs
#   bash scripts/quickstart.sh FILE [FILE ...]      # offline: import files, e.g.
#   bash scripts/quickstart.sh ../shared/data/arxiv-cs-2025-2026.jsonl.gz
#
# Precomputed vectors next to a file (NAME.all-MiniLM-L6-v2.f16.npy + .ids.txt for NAME.jsonl.gz,
# as in ../shared/data) are imported; papers without vectors are embedded on this machine
# (about 40 papers/s on 2 CPU cores; QUICKSTART_EMBED=0 skips that and search stays lexical
# for them). PORT=8080 serves on another port; QUICKSTART_SERVE=0 stops before serving.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
export PATH="$PWD/.venv/bin:$PATH"

paperfeed init
if [ "$#" -gt 0 ]; then
  paperfeed ingest --no-index "$@"
  for file in "$@"; do
    base="${file%.gz}"; base="${base%.xz}"; base="${base%.jsonl}"
    vectors="$base.all-MiniLM-L6-v2.f16.npy"
    if [ -f "$vectors" ] && [ -f "$base.all-MiniLM-L6-v2.ids.txt" ]; then
      paperfeed embed --no-sync --import "$vectors" --ids "$base.all-MiniLM-L6-v2.ids.txt"
    fi
  done
else
  paperfeed fetch arxiv --set cs --from "$(date -u -d '3 days ago' +%F)"
  # signals that rank the feed from the first hour (optional: a failure only means less signal)
  paperfeed fetch hf --since "$(date -u -d '3 days ago' +%F)" || echo "(Hugging Face signals skipped)"
  paperfeed fetch s2 || echo "(Semantic Scholar signals skipped)"
  paperfeed fetch github --limit 50 || echo "(GitHub stars skipped; set GITHUB_TOKEN for more)"
fi
if [ "${QUICKSTART_EMBED:-1}" != "0" ]; then
  paperfeed embed --no-sync
fi
paperfeed index
paperfeed stats --top 10
if [ "${QUICKSTART_SERVE:-1}" != "0" ]; then
  echo "serving on http://127.0.0.1:${PORT:-8000}/ (Ctrl-C stops)"
  exec paperfeed serve --port "${PORT:-8000}"
fi

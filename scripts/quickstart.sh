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
# Each step prints "[N/6] what it does" and, when it ends, how long it took; QUICKSTART_DRY_RUN=1
# prints the steps and their commands without running them.
set -euo pipefail
cd "$(dirname "$0")/.."

STEPS=6 STEP=0 STEP_STARTED=$SECONDS
DRY=${QUICKSTART_DRY_RUN:-0}
step() {  # "[N/6] what" after the previous step's time
  [ "$STEP" -gt 0 ] && echo "      ($(( SECONDS - STEP_STARTED )) s)"
  STEP=$(( STEP + 1 )) STEP_STARTED=$SECONDS
  echo "[$STEP/$STEPS] $*"
}
run() {  # a command, or only its line with QUICKSTART_DRY_RUN=1
  if [ "$DRY" = 1 ]; then echo "      \$ $*"; else "$@"; fi
}
pip_install() {  # pip with one line per package it fetches (a quiet pip was 107 s of silence)
  if [ "$DRY" = 1 ]; then echo "      \$ pip install $*"; return; fi
  PYTHONUNBUFFERED=1 .venv/bin/python -m pip install --progress-bar off "$@" | awk '
    /^(Collecting|Processing) / { n++; printf "      %3d  %s\n", n, $2; fflush(); next }
    /^Requirement already satisfied/ { have++; next }
    /^Installing collected packages/ { print "      installing " (NF - 3) " packages ..."; fflush(); next }
    /^Successfully installed/ { print "      installed " (NF - 2) " packages"; fflush(); next }
    END { if (have) print "      " have " requirements already installed" }'
}

PYTHON=${PYTHON:-python3.11}
step "Python environment in .venv (first run: downloads about 60 packages, a few minutes)"
[ -x .venv/bin/python ] || run "$PYTHON" -m venv .venv
pip_install --upgrade pip
pip_install -e .
export PATH="$PWD/.venv/bin:$PATH"

step "database and data directory"
run paperfeed init
if [ "$#" -gt 0 ]; then
  step "import papers from $*"
  run paperfeed ingest --no-index "$@"
  for file in "$@"; do
    base="${file%.gz}"; base="${base%.xz}"; base="${base%.jsonl}"
    vectors="$base.all-MiniLM-L6-v2.f16.npy"
    if [ -f "$vectors" ] && [ -f "$base.all-MiniLM-L6-v2.ids.txt" ]; then
      run paperfeed embed --no-sync --import "$vectors" --ids "$base.all-MiniLM-L6-v2.ids.txt"
    fi
  done
else
  step "harvest the last 3 days of arXiv cs, then ranking signals"
  run paperfeed fetch arxiv --set cs --from "$(date -u -d '3 days ago' +%F)"
  # signals that rank the feed from the first hour (optional: a failure only means less signal)
  run paperfeed fetch hf --since "$(date -u -d '3 days ago' +%F)" || echo "(Hugging Face signals skipped)"
  run paperfeed fetch s2 || echo "(Semantic Scholar signals skipped)"
  run paperfeed fetch github --limit 50 || echo "(GitHub stars skipped; set GITHUB_TOKEN for more)"
fi
if [ "${QUICKSTART_EMBED:-1}" != "0" ]; then
  step "embed the papers that have no vector yet"
  run paperfeed embed --no-sync
else
  step "embedding skipped (QUICKSTART_EMBED=0)"
fi
step "build the search indexes (words, then vectors)"
run paperfeed index
step "what was loaded"
run paperfeed stats --top 10
echo "      ($(( SECONDS - STEP_STARTED )) s)"
echo "ready in $SECONDS s"
if [ "${QUICKSTART_SERVE:-1}" != "0" ]; then
  echo "serving on http://127.0.0.1:${PORT:-8000}/ (Ctrl-C stops)"
  [ "$DRY" = 1 ] && { echo "      \$ paperfeed serve --port ${PORT:-8000}"; exit 0; }
  exec paperfeed serve --port "${PORT:-8000}"
fi

"""Ingest throughput: the shared 74,728-paper file into a fresh SQLite store and a fresh
PostgreSQL database, then the same file again (idempotent pass). Peak memory is the child
process's max RSS.

    python benchmarks/bench_ingest.py [FILE] [--postgres postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "shared/data/arxiv-cs-2025-2026.jsonl.gz"


def run(args: list[str], env: dict) -> tuple[float, float, str]:
    """(seconds, peak RSS MiB of this child, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "paperfeed", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024, out.stdout.strip().splitlines()[0]


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {cpu}, {mem:.0f} GiB RAM, Python {platform.python_version()}"


def bench(label: str, file: Path, env: dict) -> list[str]:
    subprocess.run(
        [sys.executable, "-m", "paperfeed", "init"], env=env, check=True, capture_output=True
    )
    rows = []
    for attempt in ("first run", "second run"):
        seconds, peak, line = run(["ingest", str(file), "--no-index"], env)
        rows.append(
            f"| {label} | {attempt} | {seconds:.1f} s | {74728 / seconds:,.0f} | "
            f"{peak:.0f} MiB | {line.split(': ', 1)[1]} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="server URL; a database paperfeed_bench is (re)created there",
    )
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    print(f"machine: {machine()}\nfile: {args.file}\n")
    print("| database | pass | wall time | papers/s | peak RSS | summary |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "PAPERFEED_HOME": home, "DATABASE_URL": ""}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        print("\n".join(bench("SQLite (WAL)", args.file, env)), flush=True)
        if not args.skip_postgres:
            import psycopg

            with psycopg.connect(args.postgres, autocommit=True) as con:
                con.execute("DROP DATABASE IF EXISTS paperfeed_bench")
                con.execute("CREATE DATABASE paperfeed_bench")
            url = args.postgres.rsplit("/", 1)[0] + "/paperfeed_bench"
            print("\n".join(bench("PostgreSQL", args.file, {**env, "DATABASE_URL": url})))
            with psycopg.connect(args.postgres, autocommit=True) as con:
                con.execute("DROP DATABASE paperfeed_bench")


if __name__ == "__main__":
    main()

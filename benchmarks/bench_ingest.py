"""Ingest throughput: the shared files into a fresh SQLite store and a fresh PostgreSQL
database, then the same files again (idempotent pass). Peak memory is the child process's max RSS.

    python benchmarks/bench_ingest.py [FILE ...] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

Default files: both shared files (221,328 records, 221,327 distinct papers); papers/s counts
the records read (new + updated + unchanged).
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

import orjson

SHARED = Path(
    os.environ.get("PAPERFEED_SHARED", Path(__file__).resolve().parents[1].parent / "shared")
)
DEFAULT_FILES = [
    SHARED / "data" / "arxiv-cs-2025-2026.jsonl.gz",
    SHARED / "data" / "arxiv-cs-1998-2019.jsonl.gz",
]


def run(args: list[str], env: dict) -> tuple[float, float, float, dict]:
    """(seconds, CPU seconds of this child, peak RSS MiB of this child, its JSON summary).

    The CPU time is the ``paperfeed`` process's only (not PostgreSQL's server): on a machine
    other jobs share, it varies much less than the wall time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "paperfeed", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = orjson.loads(out.stdout.strip().splitlines()[-1])
    cpu = usage.ru_utime + usage.ru_stime - cpu
    return seconds, cpu, max(usage.ru_maxrss, before) / 1024, summary


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


def bench(label: str, files: list[Path], env: dict) -> list[str]:
    subprocess.run(
        [sys.executable, "-m", "paperfeed", "init"], env=env, check=True, capture_output=True
    )
    rows = []
    for attempt in ("first run", "second run"):
        seconds, cpu, peak, summary = run(["ingest", *map(str, files), "--no-index", "--json"], env)
        records = summary["new"] + summary["updated"] + summary["unchanged"]
        counts = ", ".join(
            f"{summary[k]:,} {k}" for k in ("new", "updated", "unchanged") if summary[k]
        )
        rows.append(
            f"| {label} | {attempt} | {seconds:.1f} s | {cpu:.1f} s | {records / seconds:,.0f} | "
            f"{peak:.0f} MiB | {counts} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="server URL; the database --bench-db is (re)created there",
    )
    parser.add_argument(
        "--bench-db", default="paperfeed_bench", help="name of the scratch database (dropped after)"
    )
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    print(f"machine: {machine()}\nfiles: {' '.join(map(str, args.files))}")
    print(f"load average at start: {os.getloadavg()}\n")
    print("| database | pass | wall time | client CPU | papers/s | peak RSS | summary |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "PAPERFEED_HOME": home, "DATABASE_URL": ""}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        if not args.skip_sqlite:
            print("\n".join(bench("SQLite (WAL)", args.files, env)), flush=True)
        if not args.skip_postgres:
            import psycopg

            with psycopg.connect(args.postgres, autocommit=True) as con:
                con.execute(f'DROP DATABASE IF EXISTS "{args.bench_db}"')
                con.execute(f'CREATE DATABASE "{args.bench_db}"')
            url = args.postgres.rsplit("/", 1)[0] + "/" + args.bench_db
            print("\n".join(bench("PostgreSQL", args.files, {**env, "DATABASE_URL": url})))
            with psycopg.connect(args.postgres, autocommit=True) as con:
                con.execute(f'DROP DATABASE "{args.bench_db}"')


if __name__ == "__main__":
    main()
    print(f"load average at end: {os.getloadavg()}")

"""Page cache: anonymous requests/s and p95 at 50 users, before and after, in one run.

    nice python benchmarks/bench_cache.py --before DIR [--home DIR] [--seconds 10]
        [--hammer-users 10] [--users 50] [--p95-seconds 60] [--workers 2] [--requests 200]
        [--json FILE]

``--before DIR``: the ``src/`` of the code to compare with (e.g. main's:
``git archive main src | tar -x -C /tmp/main``); "after" is this checkout's ``src/``.

1. A SQLite home as ``bench_web.py`` builds it (the 74,728 shared papers, search indexes, 500
   users' Zipf-distributed upvotes on the last 14 feed days, submissions, comments; vectors
   left out: no search is measured), built once into ``--home`` and reused.
2. For each variant, before then after, on the same home and machine state:
   ``paperfeed serve --workers 2`` in production mode on a free loopback port, until /readyz
   answers, a warm-up (each worker renders every measured route), then
   a. requests/s: locust ``Hammer`` users (no think time, ``--hammer-users`` at once) on one
      URL at a time for ``--seconds``: the home page, /trending, /api/daily_papers, a paper
      page (a random one of the 30 most upvoted recent papers per request), each warmed
      just before (3 GETs per URL, so each worker likely rendered it); the server's CPU milliseconds per
      request from /proc (its process group's user + system time);
   b. latency: ``--users`` locust ``Reader`` users (anonymous, 0.3–1.5 s think time, the mix
      of ``locust_cache.py``) for ``--p95-seconds``: p50/p95 per route and overall.
3. In this process (``django.test.Client``, this checkout's code), CPU ms per request with the
   page cache off and on (``--requests`` per route, ``time.process_time``).
4. Markdown tables (and ``--json``), with the load average before each phase: the client
   (locust) runs on the same cores as the server, and other jobs may too; compare the two
   variants' ratios, not absolute numbers across machines.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_web
from bench_load import free_port, stop, wait_ready

HERE = Path(__file__).resolve().parent
LOCUSTFILE = HERE / "locust_cache.py"
AFTER_SRC = HERE.parent / "src"
HAMMERED = ["/", "/trending", "/api/daily_papers", "paper"]
TICKS = os.sysconf("SC_CLK_TCK")


def prepare(home: Path) -> Path:
    """Build or reuse the home; write the locust plan (recent days and papers) into it."""
    if not (home / ".bench-ready").exists():
        bench_web.build_home(home, vectors=False)
    os.environ.update(
        PAPERFEED_HOME=str(home), DATABASE_URL="", DJANGO_SETTINGS_MODULE="paperfeed.settings"
    )
    import django

    django.setup()
    from paperfeed.papers import lists
    from paperfeed.papers.models import Paper

    bench_web.add_community()
    bench_web.planner_statistics()
    latest = lists.latest_day()
    days = sorted(
        {
            d.isoformat()
            for d in Paper.objects.filter(feed_day__isnull=False).dates("feed_day", "day")
        }
    )[-10:]
    recent = list(
        Paper.objects.filter(feed_day__gte=latest.replace(day=1))
        .order_by("-upvotes", "arxiv_id")
        .values_list("arxiv_id", flat=True)[:300]
    )
    plan = home / "cache-plan.json"
    plan.write_text(json.dumps({"days": days, "papers": recent, "hammer_papers": recent[:30]}))
    from django.db import connections

    connections.close_all()
    return plan


def server_env(home: Path, src: Path) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": str(src),
        "PAPERFEED_HOME": str(home),
        "DATABASE_URL": "",
        "PAPERFEED_PRODUCTION": "1",
        "PAPERFEED_SSL_REDIRECT": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PAPERFEED_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of the live processes of one process group (the server)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state ppid pgrp ...
            total += int(fields[11]) + int(fields[12])  # utime stime
    return total / TICKS


def number(text: str) -> float | None:
    return None if text in ("", "N/A") else float(text)


def locust(base: str, plan: Path, user_class: str, users: int, seconds: float, url: str, out: Path):
    """Run locust headless; return its aggregated and per-name stats rows."""
    prefix = out / f"{user_class}-{abs(hash((url, time.time())))}"
    env = {**os.environ, "PAPERFEED_LOAD_PLAN": str(plan), "PAPERFEED_BENCH_URL": url}
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(users if user_class == "Hammer" else max(1, users // 5)),  # Reader: 5 s ramp
        "--run-time",
        f"{seconds:.0f}s",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--host",
        base,
        "--csv",
        str(prefix),
        user_class,
    ]
    subprocess.run(
        command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        return {row["Name"]: row for row in csv.DictReader(fh)}


def warm_up(base: str, paths: list[str], times: int = 3) -> None:
    """GET each path ``times`` times (each worker then likely rendered it once)."""
    from load_newday import fetch

    for path in paths * times:
        status, _ = fetch(base, path, timeout=120)
        if status != 200:
            sys.exit(f"warm-up: {path} answered {status}")


def measure(name: str, src: Path, args, plan: Path, out: Path) -> dict:
    print(f"{name}: {src}", file=sys.stderr)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = out / f"serve-{name}.log"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "paperfeed",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=server_env(args.home, src),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    result: dict = {"src": str(src), "rate": {}, "latency": {}}
    try:
        wait_ready(base, server)
        papers = json.loads(plan.read_text())["hammer_papers"]
        for url in HAMMERED:  # each warmed just before: entries live PAPERFEED_PAGE_CACHE_SECONDS
            warm_up(base, [f"/papers/{p}" for p in papers] if url == "paper" else [url])
            load = os.getloadavg()[0]
            cpu = group_cpu_seconds(server.pid)
            stats = locust(base, plan, "Hammer", args.hammer_users, args.seconds, url, out)
            cpu = group_cpu_seconds(server.pid) - cpu
            total = stats["Aggregated"]
            count, failures = int(total["Request Count"]), int(total["Failure Count"])
            result["rate"][url] = {
                "requests": count,
                "failures": failures,
                "per_s": round(float(total["Requests/s"]), 1),
                "p95_ms": number(total["95%"]),
                "cpu_ms_per_request": round(1000 * cpu / max(count, 1), 2),
                "load": round(load, 2),
            }
            print(f"  {url}: {result['rate'][url]}", file=sys.stderr)
        warm_up(base, ["/", "/trending", "/api/daily_papers", "/feeds/daily.atom"], times=2)
        load = os.getloadavg()[0]
        stats = locust(base, plan, "Reader", args.users, args.p95_seconds, "", out)
        for row_name, row in stats.items():
            result["latency"][row_name] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "per_s": round(float(row["Requests/s"]), 1),
                "p50_ms": number(row["50%"]),
                "p95_ms": number(row["95%"]),
                "p99_ms": number(row["99%"]),
            }
        result["latency_load"] = round(load, 2)
        print(f"  latency: {result['latency']['Aggregated']}", file=sys.stderr)
    finally:
        stop(server)
    return result


def in_process(plan: Path, requests: int) -> dict:
    """CPU ms per request in this process (django.test.Client: middleware, view, templates; no
    network, no client on the same cores), this checkout's code with the page cache off and on:
    the cost a hit saves, measured with ``time.process_time`` so other jobs barely move it."""
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    papers = json.loads(plan.read_text())["hammer_papers"]
    urls = {"/": ["/"], "/trending": ["/trending"], "/api/daily_papers": ["/api/daily_papers"]}
    urls["paper"] = [f"/papers/{p}" for p in papers]
    result = {}
    for cache_seconds in (0, 60):
        settings.PAPERFEED_PAGE_CACHE_SECONDS = cache_seconds
        client = Client()
        for name, paths in urls.items():
            for path in paths:  # warm: every path rendered (and stored) once
                assert client.get(path).status_code == 200, path
            started = time.process_time()
            for i in range(requests):
                client.get(paths[i % len(paths)])
            ms = 1000 * (time.process_time() - started) / requests
            result.setdefault(name, {})["off" if cache_seconds == 0 else "on"] = round(ms, 2)
    print(f"  in-process CPU ms per request: {result}", file=sys.stderr)
    return result


def table(before: dict, after: dict, args) -> str:
    lines = [
        f"requests/s, {args.hammer_users} clients without think time, {args.seconds:.0f} s each "
        f"(server CPU ms per request; 1-min load average at the start)",
        "",
        "| route | before req/s | after req/s | × | before CPU ms | after CPU ms | load b/a |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for url in HAMMERED:
        b, a = before["rate"][url], after["rate"][url]
        label = "paper page `/papers/<id>`" if url == "paper" else f"`{url}`"
        lines.append(
            f"| {label} | {b['per_s']} | {a['per_s']} | {a['per_s'] / max(b['per_s'], 0.1):.1f} | "
            f"{b['cpu_ms_per_request']} | {a['cpu_ms_per_request']} | {b['load']} / {a['load']} |"
        )
    lines += [
        "",
        f"{args.users} anonymous readers (0.3–1.5 s think time), {args.p95_seconds:.0f} s; load "
        f"{before['latency_load']} / {after['latency_load']}",
        "",
        "| request | before p50 | before p95 | after p50 | after p95 | before / after req/s | failures |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, b in before["latency"].items():
        a = after["latency"].get(name)
        if a is None:
            continue
        lines.append(
            f"| {name} | {b['p50_ms']} | {b['p95_ms']} | {a['p50_ms']} | {a['p95_ms']} |"
            f" {b['per_s']} / {a['per_s']} | {b['failures']} / {a['failures']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="src/ of the code before.")
    parser.add_argument("--home", type=Path, help="Data directory to build or reuse.")
    parser.add_argument("--seconds", type=float, default=10, help="Seconds per hammered URL.")
    parser.add_argument("--hammer-users", type=int, default=10, help="Clients per URL.")
    parser.add_argument("--users", type=int, default=50, help="Readers for the latency run.")
    parser.add_argument("--p95-seconds", type=float, default=60, help="Latency run length.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2).")
    parser.add_argument("--requests", type=int, default=200, help="In-process requests a route.")
    parser.add_argument("--json", type=Path, help="Write the results here too.")
    args = parser.parse_args()
    if not bench_web.CORPUS.exists():
        sys.exit(f"{bench_web.CORPUS} is absent")
    if not (args.before / "paperfeed").is_dir():
        sys.exit(f"--before {args.before}: no paperfeed package there")
    args.home = args.home or Path(tempfile.mkdtemp(prefix="paperfeed-bench-cache-"))
    args.home.mkdir(parents=True, exist_ok=True)
    plan = prepare(args.home)
    out = Path(tempfile.mkdtemp(prefix="paperfeed-bench-cache-runs-"))
    random.seed(5)
    before = measure("before", args.before.resolve(), args, plan, out)
    after = measure("after", AFTER_SRC, args, plan, out)
    server_side = in_process(plan, args.requests)
    print(table(before, after, args))
    print("\nin-process CPU ms per request (this code), page cache off / on:\n")
    print("| route | cache off | cache on | × |\n| --- | ---: | ---: | ---: |")
    for name, ms in server_side.items():
        print(f"| {name} | {ms['off']} | {ms['on']} | {ms['off'] / max(ms['on'], 0.01):.0f} |")
    print(f"\nlogs and locust CSVs in {out}")
    if args.json:
        results = {"before": before, "after": after, "in_process": server_side}
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

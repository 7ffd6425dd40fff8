"""Load: a mixed workload against ``paperfeed serve --workers 2`` on PostgreSQL while the
worker ingests a new day of papers, which the running web processes must then serve.

    python benchmarks/bench_load.py [--seconds 60] [--max-seconds 300] [--users 50]
        [--spawn-rate 10] [--workers 2] [--new-day-at 0.33] [--json FILE] [--fresh]
        [--database-url postgres://postgres@127.0.0.1:5432/paperfeed_load]
        [--home /tmp/paperfeed-load]

Needs locust (``pip install -e '.[bench]'``), PostgreSQL and ../shared/data.

1. A PostgreSQL database and a PAPERFEED_HOME of its own (built once, reused by later runs;
   ``--fresh`` drops both): the 74,728 shared papers minus the last listing day (held back in
   a file), the shared vectors, search indexes; 300 users with Zipf-like upvotes on recent
   papers (``load_data.py``), rewritten identically on every run.
2. ``paperfeed serve --workers 2`` in production mode (PAPERFEED_PRODUCTION=1, a random
   SECRET_KEY, PAPERFEED_ALLOWED_HOSTS) on a free loopback port, until /readyz answers 200,
   then a short warm-up (each process loads the query-embedding model on its first search).
3. locust, headless (``locustfile.py``: readers, members who log in and vote, API clients),
   for ``--seconds`` or until the new day's checks are done, whichever is later (at most
   ``--max-seconds``), so the checks run under load.
4. At ``--new-day-at`` of the run: ``paperfeed ingest NEW-DAY.jsonl`` then
   ``paperfeed worker --once --no-fetch`` (embeds and indexes), against the same database and
   home, while probes poll a keyword search for a new paper's title and its similar-papers
   list (``load_newday.py``). Afterwards HTTP checks against the same server (no restart):
   every new paper page answers 200, title searches find them (API and page), the day's feed
   (page, API, HF API) lists exactly them, the home page shows the new day, their
   similar-papers lists are filled.
5. A summary (``load_report.py``: requests/s, client p50/p95/p99 per request type and overall,
   failures, server time per route from gunicorn's log, 5xx, worker restarts, CPU seconds per
   process group, load average) on stdout and as JSON. Exit 1 when a request failed or the new
   day was not served; the server and every child are stopped in any case (Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import bench_web
import load_data
import load_newday
import load_report

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/paperfeed_load"
HOME_MARK = ".paperfeed-load-home"
LOAD_AGENT = "paperfeed-load/1"  # locustfile.PROXY_HEADERS: the server times count only these


def cli(env: dict, *args: str, log: Path | None = None) -> float:
    started = time.perf_counter()
    out = log.open("ab") if log else subprocess.DEVNULL
    try:
        subprocess.run([sys.executable, "-m", "paperfeed", *args], env=env, check=True, stdout=out)
    finally:
        if log:
            out.close()
    seconds = time.perf_counter() - started
    print(f"  paperfeed {' '.join(args[:2])}: {seconds:.1f} s", file=sys.stderr)
    return seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(args, env: dict) -> tuple[load_data.Split, dict, list[dict]]:
    """Build or reuse the store; reset the held-back day and the votes; write the plan."""
    home = args.home
    if args.fresh and home.exists():
        if not (home / HOME_MARK).exists() and any(home.iterdir()):
            sys.exit(f"--fresh: {home} is not a load-benchmark home ({HOME_MARK} missing)")
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    (home / HOME_MARK).write_text("made by benchmarks/bench_load.py\n")
    work = home / "load"
    created = load_data.ensure_database(args.database_url, fresh=args.fresh)
    split = load_data.split_corpus(bench_web.CORPUS, work)
    ready = home / ".load-ready"
    if created or not ready.exists() or ready.read_text().strip() != args.database_url:
        print(f"building {args.database_url} + {home} ...", file=sys.stderr)
        ready.unlink(missing_ok=True)
        cli(env, "init")
        cli(env, "ingest", str(split.rest_file), "--no-index")
        if bench_web.VECTORS.exists():  # ids of the held-back day are skipped (not stored)
            cli(
                env,
                "embed",
                "--import",
                str(bench_web.VECTORS),
                "--ids",
                str(bench_web.VECTOR_IDS),
                "--no-sync",
            )
        cli(env, "index", "--rebuild")
        ready.write_text(args.database_url + "\n")
    else:
        cli(env, "init")  # migrations added since the store was built
    # the embedding model's ONNX export is cached in the home: made once here, not by the first
    # web process or worker that needs it during the run
    cli(env, "search", "warm up the model", "--mode", "semantic")
    os.environ.update(env, DJANGO_SETTINGS_MODULE="paperfeed.settings")
    import django

    django.setup()
    new_papers = load_data.held_back_papers(split.held_back_file)
    removed = load_data.remove_papers([p["id"] for p in new_papers])
    day = dt.date.fromisoformat(split.held_back_day)
    community = load_data.seed_community(day)
    from paperfeed.papers.maintenance import update_statistics

    update_statistics()
    if removed:
        print(f"  removed the {removed} papers a previous run ingested", file=sys.stderr)
    cli(env, "index")  # drops removed papers, applies the rewritten upvote counts
    status = json.loads(
        subprocess.run(
            [sys.executable, "-m", "paperfeed", "index", "--status", "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    if status["papers_in_db"] != status["papers_in_index"]:
        print(f"  index and database disagree ({status}): rebuilding", file=sys.stderr)
        cli(env, "index", "--rebuild")
    plan = load_data.build_plan(day, community, bench_web.QUERIES, bench_web.FILTER_CATEGORIES)
    (work / "plan.json").write_text(json.dumps(plan))
    from django.db import connections

    connections.close_all()
    summary = {k: v for k, v in community.items() if k not in ("tokens", "usernames")}
    from paperfeed.papers.models import Paper

    summary["papers"] = Paper.objects.count()
    connections.close_all()
    return split, summary, new_papers


def start_server(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    out = log.open("wb")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "paperfeed",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: gunicorn and its workers stop together
    )


def stop(process: subprocess.Popen | None, grace: float = 30) -> None:
    """SIGTERM the process group this script started, SIGKILL after ``grace`` seconds."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    except ProcessLookupError:
        pass


def wait_ready(base: str, server: subprocess.Popen, timeout: float = 180) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if server.poll() is not None:
            sys.exit(f"paperfeed serve exited with {server.returncode}; see its log")
        status, _ = load_newday.fetch(base, "/readyz")
        if status == 200:
            return time.monotonic() - started
        time.sleep(0.5)
    sys.exit(f"{base}/readyz did not answer 200 within {timeout:.0f} s")


def warm_up(base: str, queries: list[str]) -> dict:
    """Each web process loads the query-embedding model on its first search: do that before
    measuring, two at a time so both processes get some."""
    paths = ["/", "/trending"] + [
        f"/search?q={q.replace(' ', '+')}" for q in queries[:8] for _ in range(1)
    ]
    times: list[float] = []

    def run(chunk: list[str]) -> None:
        for path in chunk:
            started = time.monotonic()
            status, _ = load_newday.fetch(base, path, timeout=120)
            if status != 200:
                raise SystemExit(f"warm-up: {path} answered {status}")
            times.append(time.monotonic() - started)

    threads = [threading.Thread(target=run, args=(paths[i::2],)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"requests": len(times), "slowest_s": round(max(times), 2)}


def run_locust(args, base: str, env: dict, prefix: Path) -> subprocess.Popen:
    options = (
        f"--headless -u {args.users} -r {args.spawn_rate} --run-time {args.max_seconds}s "
        "--only-summary --loglevel WARNING --stop-timeout 10"
    ).split()
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--host", base, *options]
    command += ["--csv", str(prefix)]
    log = prefix.with_suffix(".log").open("wb")
    return subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def cpu_table(cpu: dict, commands: dict) -> dict:
    """CPU seconds during the load by who used them; "other processes" is what the machine
    spent busy beyond everything this benchmark started (other jobs on a shared machine)."""
    table = {**cpu, **{f"paperfeed {k}": v for k, v in commands.items()}}
    table["other processes"] = round(max(0.0, cpu["other processes"] - sum(commands.values())), 1)
    return table


def interrupted(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default=DEFAULT_DB, help=f"PostgreSQL (default {DEFAULT_DB})."
    )
    parser.add_argument(
        "--home", type=Path, default=Path("/tmp/paperfeed-load"), help="PAPERFEED_HOME."
    )
    parser.add_argument("--fresh", action="store_true", help="Drop the database and home first.")
    parser.add_argument(
        "--seconds", type=int, default=60, help="Length of the load run (default 60)."
    )
    parser.add_argument(
        "--users", type=int, default=50, help="Concurrent locust users (default 50)."
    )
    parser.add_argument(
        "--max-seconds",
        type=int,
        default=300,
        help="The load goes on past --seconds until the new day is checked, at most this long.",
    )
    parser.add_argument("--spawn-rate", type=float, default=10, help="Users started per second.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2).")
    parser.add_argument(
        "--new-day-at",
        type=float,
        default=0.33,
        help="Fraction of the run at which the new day is ingested.",
    )
    parser.add_argument(
        "--json", type=Path, help="Write the result here (default HOME/load/result.json)."
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, interrupted)  # stop the server and the children, as on Ctrl-C
    if not bench_web.CORPUS.exists():
        sys.exit(f"{bench_web.CORPUS} is absent")
    if shutil.which("locust", path=os.path.dirname(sys.executable)) is None:
        sys.exit("locust is not installed: pip install -e '.[bench]'")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        PAPERFEED_HOME=str(args.home),
        DATABASE_URL=args.database_url,
        PAPERFEED_PRODUCTION="1",
        PAPERFEED_DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        PAPERFEED_ALLOWED_HOSTS="127.0.0.1,localhost",
        PAPERFEED_LOG_REQUESTS="0",
        GUNICORN_CMD_ARGS=f"--access-logformat {shlex.quote(load_report.ACCESS_LOG_FORMAT)}",
    )
    split, store, new_papers = prepare(args, env)
    work = args.home / "load"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env["PAPERFEED_BASE_URL"] = base
    env["PAPERFEED_LOAD_PLAN"] = str(work / "plan.json")
    server = locust = None
    job = load_newday.NewDayJob(env, split, new_papers, base, work)
    problems: list[str] = []
    try:
        server = start_server(env, port, args.workers, work / "serve.log")
        ready_s = wait_ready(base, server)
        warm = warm_up(base, bench_web.QUERIES)
        load_before = load_report.load_average()
        prefix = work / "locust"
        for old in work.glob("locust_*.csv"):
            old.unlink()
        started = time.monotonic()
        locust = run_locust(args, base, env, prefix)
        groups = {"gunicorn": server.pid, "locust": locust.pid}
        cpu_before = load_report.cpu_seconds(groups)
        while locust.poll() is None:
            elapsed = time.monotonic() - started
            if not job.started and elapsed >= args.seconds * args.new_day_at:
                job.start(started)
            if elapsed >= args.seconds and job.done:
                break  # the load stays on until the new day is checked: the checks run under it
            time.sleep(0.2)
        load_seconds = time.monotonic() - started
        cpu_after = load_report.cpu_seconds(groups)
        cpu = {k: round(cpu_after[k] - cpu_before[k], 1) for k in cpu_before}
        cpu["other processes"] = round(
            cpu["machine busy"] - sum(v for k, v in cpu.items() if not k.startswith("machine")),
            1,
        )  # the new-day commands are counted below, so this includes them: subtracted there
        stop(locust, grace=30)  # SIGTERM: locust stops its users and writes the CSV files
        if not job.started:
            problems.append("the load ended before the new day was ingested")
        job.join(timeout=300)
        load_after = load_report.load_average()
        rows, failures, exceptions = load_report.read_stats(prefix)
        new_day = job.report()
        if server.poll() is not None:
            problems.append(f"the server exited with {server.returncode} during the run")
    finally:
        job.kill()
        stop(locust, grace=15)
        stop(server)
    facts = load_report.server_log_facts(work / "serve.log", LOAD_AGENT)
    total = next((r for r in rows if r["name"] == "all requests"), None)
    if total is None or total["requests"] == 0:
        problems.append("locust made no requests")
    if failures or (total and total["failures"]):
        problems.append(f"{sum(f['count'] for f in failures)} failed requests")
    if facts["server_5xx"]:
        problems.append(f"the server answered {facts['server_5xx']} times with 5xx")
    if facts["worker_boots"] > args.workers or facts["worker_timeouts"]:
        problems.append("gunicorn workers were restarted or timed out")
    for exception in exceptions:
        problems.append(f"locustfile raised {exception['count']}x: {exception['message']}")
    problems += new_day["problems"]
    result = {
        "machine": load_report.machine(),
        "postgresql": load_newday.server_version(args.database_url),
        "store": store,
        "seconds": round(load_seconds, 1),
        "min_seconds": args.seconds,
        "users": args.users,
        "spawn_rate": args.spawn_rate,
        "workers": args.workers,
        "ready_after_s": round(ready_s, 1),
        "warm_up": warm,
        "load_before": load_before,
        "load_after": load_after,
        "requests": rows,
        "failures": failures,
        "server": facts,
        "cpu_seconds": cpu_table(cpu, new_day["cpu_seconds"]),
        "cpu_available_seconds": round(load_seconds * (os.cpu_count() or 1), 1),
        "new_day": new_day,
        "problems": problems,
        "ok": not problems,
    }
    out = args.json or work / "result.json"
    out.write_text(json.dumps(result, indent=1))
    load_report.print_report(result)
    print(f"JSON: {out}; logs: {work}/serve.log, {prefix}.log", file=sys.stderr)
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: main's finally stopped every child
        sys.exit(f"interrupted ({exc or 'Ctrl-C'}); the server and the load were stopped")

"""Numbers for ``bench_load.py``: the machine, CPU time per process group, locust's statistics,
gunicorn's log (status codes, worker restarts, server time per route) and the printed summary."""

from __future__ import annotations

import csv
import json
import os
import platform
import re
import resource
import sys
from pathlib import Path
from urllib.parse import parse_qs


def machine() -> dict:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(int(mem) / 2**20, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def cpu_seconds(groups: dict[str, int]) -> dict[str, float]:
    """CPU seconds (user + system) used so far by the live processes of each process group
    (gunicorn and its workers, locust) and by PostgreSQL's server processes (all of them:
    other databases' backends included; backends that exited are not counted)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = dict.fromkeys([*groups, "postgresql"], 0.0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        comm = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        pgid = int(fields[2])
        for name, group in groups.items():
            if pgid == group:
                used[name] += seconds
        if comm == "postgres":
            used["postgresql"] += seconds
    own = resource.getrusage(resource.RUSAGE_SELF)
    used["bench_load (probes, checks)"] = own.ru_utime + own.ru_stime
    busy, idle = machine_cpu()
    used["machine busy"], used["machine idle"] = busy, idle
    return used


def machine_cpu() -> tuple[float, float]:
    """Seconds all cores together spent busy and idle since boot (/proc/stat)."""
    tick = os.sysconf("SC_CLK_TCK")
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:8]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields) - idle) / tick, idle / tick


def read_stats(prefix: Path) -> tuple[list[dict], list[dict], list[dict]]:
    """locust's CSV files: statistics per request name, failed requests, exceptions raised in
    the locustfile's own code (a broken task would otherwise go unnoticed)."""
    stats_file = Path(f"{prefix}_stats.csv")
    failures_file = Path(f"{prefix}_failures.csv")
    if not stats_file.exists():
        sys.exit(f"locust wrote no {stats_file}; see {prefix.with_suffix('.log')}")
    rows = []
    with stats_file.open() as fh:
        for row in csv.DictReader(fh):
            rows.append(
                {
                    "name": row["Name"] if row["Name"] != "Aggregated" else "all requests",
                    "method": row["Type"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": float(row["Requests/s"]),
                    "p50_ms": float(row["50%"] or 0),
                    "p95_ms": float(row["95%"] or 0),
                    "p99_ms": float(row["99%"] or 0),
                    "max_ms": round(float(row["Max Response Time"] or 0)),
                }
            )
    failures = []
    if failures_file.exists():
        with failures_file.open() as fh:
            failures = [
                {
                    "request": f"{r['Method']} {r['Name']}",
                    "error": r["Error"],
                    "count": int(r["Occurrences"]),
                }
                for r in csv.DictReader(fh)
            ]
    exceptions = []
    exceptions_file = Path(f"{prefix}_exceptions.csv")
    if exceptions_file.exists():
        with exceptions_file.open() as fh:
            exceptions = [
                {"count": int(r["Count"]), "message": r["Message"], "traceback": r["Traceback"]}
                for r in csv.DictReader(fh)
            ]
    return rows, failures, exceptions


ACCESS_LINE = re.compile(
    r'^\S+ \S+ \S+ \[[^\]]+\] "(?P<method>[A-Z]+) (?P<target>\S+) [^"]*" (?P<status>\d{3}) '
    r'\S+ "[^"]*" "(?P<agent>[^"]*)" (?P<micros>\d+)$'
)
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'
"""gunicorn's default access-log line plus %(D)s, the microseconds a worker spent on it."""
ROUTE_PATTERNS = [
    (re.compile(r"\d{4}\.\d{4,5}(v\d+)?"), "[id]"),
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "[date]"),
    (re.compile(r"\d{4}-W\d{2}"), "[week]"),
    (re.compile(r"\d{4}-\d{2}"), "[month]"),
    (re.compile(r"/categories/[^/?]+"), "/categories/[name]"),
]


def route(method: str, target: str) -> str:
    """``GET /papers/[id]``: the request line with ids, dates and most parameters folded."""
    path, _, query = target.partition("?")
    for pattern, replacement in ROUTE_PATTERNS:
        path = pattern.sub(replacement, path)
    params = parse_qs(query)
    keep = [f"mode={params['mode'][0]}"] if "mode" in params else []
    if "sort" in params and path == "/api/daily_papers":
        keep.append(f"sort={params['sort'][0]}")
    if path.endswith("search") and ("category" in params or "since" in params):
        keep.append("filters")
    return f"{method} {path}" + (f" ({', '.join(keep)})" if keep else "")


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def server_log_facts(log: Path, agent: str) -> dict:
    """From gunicorn's log: status counts, worker boots and timeouts, and the time the workers
    spent on the load's requests (``agent``) by route: server time without the wait in the
    listen queue, which the client-side latencies include."""
    statuses: dict[str, int] = {}
    times: dict[str, list[float]] = {}
    boots = timeouts = 0
    for line in log.read_text(errors="replace").splitlines():
        match = ACCESS_LINE.match(line)
        if match:
            status = match["status"]
            statuses[status] = statuses.get(status, 0) + 1
            if match["agent"] == agent:
                ms = int(match["micros"]) / 1000
                times.setdefault(route(match["method"], match["target"]), []).append(ms)
                times.setdefault("all requests", []).append(ms)
        boots += "Booting worker with pid" in line
        timeouts += "WORKER TIMEOUT" in line
    server_times = []
    for name, values in times.items():
        values.sort()
        server_times.append(
            {
                "route": name,
                "requests": len(values),
                "p50_ms": round(percentile(values, 0.50), 1),
                "p95_ms": round(percentile(values, 0.95), 1),
                "p99_ms": round(percentile(values, 0.99), 1),
                "max_ms": round(values[-1], 1),
            }
        )
    return {
        "status_counts": dict(sorted(statuses.items())),
        "server_5xx": sum(n for s, n in statuses.items() if s.startswith("5")),
        "worker_boots": boots,
        "worker_timeouts": timeouts,
        "server_times": sorted(
            server_times, key=lambda r: (r["route"] == "all requests", r["route"])
        ),
    }


def print_report(result: dict) -> None:
    print(
        f"\n{result['machine']['cpu']}, {result['machine']['cores']} cores; load average "
        f"before {result['load_before']}, after {result['load_after']}"
    )
    print(f"{result['store']['papers']:,} papers before the new day; {result['store']}")
    print(
        f"{result['users']} locust users for {result['seconds']:.0f} s against {result['workers']} "
        f"gunicorn workers on PostgreSQL {result['postgresql']}\n"
    )
    print("| request | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | failures |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in sorted(result["requests"], key=lambda r: (r["name"] == "all requests", r["name"])):
        name = f"**{row['name']}**" if row["name"] == "all requests" else row["name"]
        print(
            f"| {name} | {row['requests']:,} | {row['rps']:.1f} | {row['p50_ms']:.0f} | "
            f"{row['p95_ms']:.0f} | {row['p99_ms']:.0f} | {row['max_ms']:,} | {row['failures']} |"
        )
    for failure in result["failures"]:
        print(f"FAILED {failure['count']}x {failure['request']}: {failure['error']}")
    server = result["server"]
    print("\nServer time (gunicorn worker, without the wait in the listen queue), by route:\n")
    print("| route | requests | p50 ms | p95 ms | p99 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in server["server_times"]:
        name = f"**{row['route']}**" if row["route"] == "all requests" else row["route"]
        print(
            f"| {name} | {row['requests']:,} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} | "
            f"{row['p99_ms']:.0f} | {row['max_ms']:,.0f} |"
        )
    print(f"\nserver: { {k: v for k, v in server.items() if k != 'server_times'} }")
    print(
        f"CPU seconds during the load ({result['cpu_available_seconds']} available): "
        f"{result['cpu_seconds']}"
    )
    print(f"new day: {json.dumps(result['new_day'], indent=1)}")
    print(f"\nverdict: {'OK' if result['ok'] else 'FAILED: ' + '; '.join(result['problems'])}")

"""Web-worker cost of search: memory per worker, first search after start, CPU per search page.

For each source tree given (``--tree NAME=SRC``, e.g. ``before=/tmp/main-src after=src``), on one
data directory (``--home``, built beforehand: ``paperfeed init; ingest; embed --import; index``,
docs/benchmarks.md "Web workers"), in one run:

1. **serve**: ``python -m paperfeed serve --workers 2`` with ``PYTHONPATH=SRC``; the time until
   ``/healthz`` answers; then the first hybrid search page (``/search?q=...&mode=hybrid``) timed,
   then ``--searches`` more from two concurrent clients (so both workers serve some), their
   median; then each worker's RSS, PSS and private (USS) memory from ``/proc/PID/smaps_rollup``,
   whether it mapped torch, the workers' CPU time for the first search and per later search
   request (``/proc/PID/stat``).
2. **profile** (in a subprocess of that tree): the search page through Django's test client,
   ``--searches`` times after one warm request; process CPU per request split into the search
   itself (``paperfeed.search.search``), hydration (``papers_for``) and template rendering.

    nice python benchmarks/bench_web_worker.py --home /tmp/pf-74k \\
        --tree before=/tmp/main-src --tree after=src [--searches 40] [--port 8731]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

QUERIES = [
    "kv cache compression",
    "speculative decoding for large language models",
    "diffusion models for video generation",
    "graph neural networks for molecules",
    "retrieval augmented generation hallucination",
    "mixture of experts routing",
    "vision language models for robotics",
    "federated learning privacy",
    "reinforcement learning from human feedback",
    "code generation benchmarks",
    "3d gaussian splatting",
    "protein structure prediction",
    "adversarial robustness of image classifiers",
    "long context attention efficiency",
    "medical image segmentation",
    "chain of thought reasoning",
    "time series forecasting transformers",
    "point cloud registration",
    "multi-agent systems with llms",
    "speech recognition low resource languages",
]
CLK = os.sysconf("SC_CLK_TCK")


def search_url(base: str, query: str) -> str:
    return f"{base}/search?{urlencode({'q': query, 'mode': 'hybrid'})}"


def fetch(url: str, timeout: float = 120) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as response:
        response.read()
    return time.perf_counter() - start


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


def memory(pid: int) -> dict:
    """RSS, PSS and private (USS) MB, and whether torch's library is mapped."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024
    maps = Path(f"/proc/{pid}/maps").read_text()
    return {
        "rss_mb": round(fields["Rss"], 1),
        "pss_mb": round(fields["Pss"], 1),
        "uss_mb": round(fields["Private_Clean"] + fields["Private_Dirty"], 1),
        "torch_mapped": "libtorch" in maps,
    }


def cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / CLK


def serve(src: str, home: str, port: int, searches: int) -> dict:
    env = {**os.environ, "PYTHONPATH": src, "PAPERFEED_HOME": home, "DATABASE_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "paperfeed", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                fetch(f"{base}/healthz", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.perf_counter() - started > 300:
                    raise SystemExit(f"paperfeed serve from {src} did not start") from None
                time.sleep(0.2)
        up = time.perf_counter() - started
        workers = children(process.pid)
        cpu_start = {pid: cpu_seconds(pid) for pid in workers}
        first_error = None
        try:
            first = fetch(search_url(base, "sparse attention for long documents"))
        except OSError as exc:  # e.g. the worker killed by gunicorn's --timeout (60 s)
            first_error = f"{type(exc).__name__} after {time.perf_counter() - started - up:.1f} s"
            first = fetch(search_url(base, "sparse attention for long documents"))
        cpu_before = {pid: cpu_seconds(pid) for pid in workers}
        first_cpu = sum(cpu_before[pid] - cpu_start[pid] for pid in workers)
        times: list[float] = []

        def client(offset: int) -> None:
            for i in range(searches // 2):
                times.append(fetch(search_url(base, QUERIES[(offset + i) % len(QUERIES)])))

        threads = [threading.Thread(target=client, args=(k * 7,)) for k in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        cpu = sum(cpu_seconds(pid) - cpu_before[pid] for pid in workers)
        return {
            "start_s": round(up, 2),
            "first_search_s": round(first, 3),
            "first_search_error": first_error,
            "first_search_cpu_s": round(first_cpu, 2),
            "search_median_s": round(statistics.median(times), 4),
            "worker_cpu_ms_per_search": round(1000 * cpu / len(times), 1),
            "workers": [memory(pid) for pid in workers],
            "master": memory(process.pid),
        }
    finally:
        process.terminate()
        process.wait(30)


PROFILE = """
import json, os, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"
import django
django.setup()
from django.test import Client
import paperfeed.search as search_pkg
from paperfeed.web import search_page

spent = {"search": 0.0, "hydrate": 0.0, "render": 0.0}

def timed(name, fn):
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - start
    return wrapper

search_page.hybrid_search = timed("search", search_page.hybrid_search)
search_page.papers_for = timed("hydrate", search_page.papers_for)
search_page.render = timed("render", search_page.render)
client = Client(HTTP_HOST="localhost")
queries = json.loads(sys.argv[1])
client.get("/search", {"q": "warm up the process", "mode": "hybrid"})
for key in spent:
    spent[key] = 0.0
start = time.process_time()
for q in queries:
    assert client.get("/search", {"q": q, "mode": "hybrid"}).status_code == 200
total = time.process_time() - start
n = len(queries)
print(json.dumps({
    "request_cpu_ms": round(1000 * total / n, 1),
    **{f"{k}_cpu_ms": round(1000 * v / n, 1) for k, v in spent.items()},
}))
"""


def profile(src: str, home: str, searches: int) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": src,
        "PAPERFEED_HOME": home,
        "DATABASE_URL": "",
        "PAPERFEED_ALLOWED_HOSTS": "localhost",
        "OPENBLAS_NUM_THREADS": "1",
    }
    queries = [QUERIES[i % len(QUERIES)] + f" {i // len(QUERIES)}" for i in range(searches)]
    out = subprocess.run(
        [sys.executable, "-c", PROFILE, json.dumps(queries)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=SRC")
    parser.add_argument("--searches", type=int, default=40)
    parser.add_argument("--port", type=int, default=8731)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}", flush=True)
    for spec in args.tree:
        name, src = spec.split("=", 1)
        src = str(Path(src).resolve())
        served = serve(src, args.home, args.port, args.searches)
        print(json.dumps({"tree": name, "src": src, "serve": served}), flush=True)
        profiled = profile(src, args.home, args.searches)
        print(json.dumps({"tree": name, "profile": profiled}), flush=True)
        print(f"load average: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()

"""Full-arXiv scale: every cost of one box at N papers, on SQLite or PostgreSQL.

    nice python benchmarks/bench_scale.py CORPUS_DIR --home HOME [--database-url URL]
        [--stages init,ingest,vectors,index,search,pages,rss,day] [--repeat 3]

``CORPUS_DIR`` is what ``benchmarks/gen_scale_corpus.py`` wrote (papers.jsonl.gz, vectors.f16.npy,
vectors.ids.txt). Each stage runs in its own process, against ``HOME`` (PAPERFEED_HOME) and the
database (SQLite under HOME by default, else ``--database-url``), and appends one JSON line to
``HOME/scale-results.jsonl`` as soon as it ends, so a long run that is stopped keeps what it
measured. Stages:

- ``init``, ``ingest``: ``paperfeed init``; ``paperfeed ingest papers.jsonl.gz --no-index``
  (wall time, papers/s, database size after).
- ``vectors``: ``paperfeed embed --import vectors.f16.npy --ids vectors.ids.txt --no-sync``.
- ``index``: ``paperfeed index --rebuild`` (tantivy + usearch HNSW, one-thread inserts):
  wall time and the size on disk of each index.
- ``search``: a fresh process times :func:`paperfeed.search.search` in-process, hybrid (or
  ``--search-mode lexical``), over bench_hybrid's 40 queries x ``--repeat`` (query encoding
  included), then the same queries filtered (a category, the last year, both): p50/p95/max;
  the first search's time and the process's memory after them.
- ``pages``: the home, the latest day, its ISO week and its month through django.test.Client
  (server time, anonymous, the page cache off: every request rendered), ``--repeat`` x 10
  each after one cold request: p50/p95.
- ``rss``: a fresh process opens both indexes (the vector index memory-mapped, as web workers
  do), serves one search page through the test client; its VmRSS, split into anonymous and
  file-backed (the mapped index files, shared between workers and evictable) from
  /proc/self/status.
- ``day``: the worker's incremental day: 1,000 new papers (the generator with ``--start N
  --day`` the day after the corpus's last) served as OAI-PMH pages from a local server,
  ``paperfeed fetch arxiv --set cs`` (harvest + store + lexical sync), then ``paperfeed embed
  --device cpu`` (the real model on CPU, then the vector index sync): wall time of each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
STAGES = ("init", "ingest", "vectors", "index", "search", "pages", "rss", "day")
FILTER_CATEGORY = "cs.CV"
DAY_PAPERS = 1000


def log(message: str) -> None:
    print(f"{dt.datetime.now():%H:%M:%S} load {os.getloadavg()[0]:.1f} {message}", flush=True)


def du(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def environment(home: Path, database_url: str) -> dict:
    env = {
        **os.environ,
        "PAPERFEED_HOME": str(home),
        "DATABASE_URL": database_url,
        "PAPERFEED_HARVEST_DELAY": "0",
        "PAPERFEED_ALLOWED_HOSTS": "testserver",
        "PYTHONPATH": os.pathsep.join([str(HERE.parent / "src"), str(HERE)]),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


CPU_SECONDS: list[float] = []
"""CPU seconds (user + system) of each ``paperfeed`` process :func:`cli` ran, in order: on a
shared machine the wall time depends on the other jobs, the CPU time much less (the database
server's own CPU, for PostgreSQL, is not in it)."""


def cli(env: dict, *args: str) -> tuple[float, str]:
    """(wall seconds, stdout) of ``paperfeed ARGS``; stderr (progress) goes to our log; its CPU
    seconds are appended to ``CPU_SECONDS``."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "paperfeed", *args],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU_SECONDS.append(round(usage.ru_utime + usage.ru_stime - cpu, 1))
    return wall, out.stdout


def child(env: dict, mode: str, *extra: str) -> dict:
    """Run this script's ``--child MODE`` in a fresh process; its JSON result."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, *extra],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return orjson.loads(out.stdout.strip().splitlines()[-1])


def database_bytes(home: Path, database_url: str) -> int:
    if not database_url:
        return sum(du(p) for p in home.glob("*.sqlite3*"))
    import psycopg

    with psycopg.connect(database_url) as con:
        return con.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def percentiles(seconds: list[float], cpu: list[float] | None = None) -> dict:
    """p50/p95/max in ms of wall times and, when given, of the process's CPU times (all its
    threads; on a shared machine the CPU time is the better estimate of a quiet machine's)."""

    def summary(values: list[float], prefix: str) -> dict:
        ms = sorted(v * 1000 for v in values)
        return {
            f"{prefix}p50_ms": round(statistics.median(ms), 1),
            f"{prefix}p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1),
            f"{prefix}max_ms": round(ms[-1], 1),
        }

    return {"n": len(seconds), **summary(seconds, ""), **(summary(cpu, "cpu_") if cpu else {})}


def timed(call) -> tuple[float, float]:
    """(wall seconds, process CPU seconds) of ``call()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


# --- child processes (Django set up from the environment) -------------------------------------


def _setup() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"
    import django

    django.setup()


def child_search(repeat: int, mode: str = "hybrid") -> dict:
    from bench_hybrid import QUERIES
    from paperfeed.papers import lists
    from paperfeed.search import search

    first, _ = timed(lambda: search("warm up the encoder and open the indexes", mode=mode))
    since = lists.latest_day() - dt.timedelta(days=365)
    kinds = {
        mode: {},
        f"{mode}, category {FILTER_CATEGORY}": {"categories": [FILTER_CATEGORY]},
        f"{mode}, last 365 days": {"since": since},
        f"{mode}, {FILTER_CATEGORY} + last 365 days": {
            "categories": [FILTER_CATEGORY],
            "since": since,
        },
    }
    result = {"first_search_s": round(first, 2)}
    for label, filters in kinds.items():
        walls, cpus = [], []
        for _ in range(repeat):
            for query in QUERIES:
                wall, cpu = timed(lambda q=query, f=filters: search(q, mode=mode, limit=20, **f))
                walls.append(wall)
                cpus.append(cpu)
        result[label] = percentiles(walls, cpus)
    result["rss_mib"] = round(_status_kib("VmRSS") / 1024, 1)  # after the searches
    result["rss_anon_mib"] = round(_status_kib("RssAnon") / 1024, 1)
    result["rss_file_mib"] = round(_status_kib("RssFile") / 1024, 1)
    return result


def child_pages(repeat: int) -> dict:
    from django.test import Client

    from paperfeed.papers import lists

    day = lists.latest_day()
    year, week, _ = day.isocalendar()
    urls = {
        "home": "/",
        "day": f"/day/{day.isoformat()}",
        "week": f"/week/{year:04d}-W{week:02d}",
        "month": f"/month/{day:%Y-%m}",
    }
    client = Client()
    result = {"day": day.isoformat()}
    for label, url in urls.items():
        started = time.perf_counter()
        response = client.get(url)
        cold = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        walls, cpus = [], []
        for _ in range(repeat):
            wall, cpu = timed(lambda u=url: client.get(u))
            walls.append(wall)
            cpus.append(cpu)
        result[label] = {"url": url, "cold_ms": round(cold * 1000, 1), **percentiles(walls, cpus)}
    return result


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def child_rss() -> dict:
    from django.test import Client

    from paperfeed.search import search

    before = _status_kib("VmRSS")
    started = time.perf_counter()
    response = Client().get("/search", {"q": "diffusion models for video generation"})
    first = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"/search: HTTP {response.status_code}")
    search("graph neural networks for molecules")
    return {
        "rss_after_setup_mib": round(before / 1024, 1),
        "rss_mib": round(_status_kib("VmRSS") / 1024, 1),
        "rss_anon_mib": round(_status_kib("RssAnon") / 1024, 1),
        "rss_file_mib": round(_status_kib("RssFile") / 1024, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "first_search_page_s": round(first, 2),
        "torch_loaded": "torch" in sys.modules,
    }


# --- stages -----------------------------------------------------------------------------------


def last_listed(corpus: Path) -> dt.date:
    latest = ""
    with gzip.open(corpus / "papers.jsonl.gz", "rb") as fh:
        for line in fh:
            latest = max(latest, orjson.loads(line)["listed"])
    return dt.date.fromisoformat(latest)


def stage_day(corpus: Path, home: Path, env: dict, papers: int) -> dict:
    import bench_harvest
    import gen_scale_corpus

    day = last_listed(corpus) + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    folder = home / "scale-day"
    gen_scale_corpus.generate(folder, DAY_PAPERS, start=papers, day=day, seed=18)
    with gzip.open(folder / "papers.jsonl.gz", "rb") as fh:
        rows = [orjson.loads(line) for line in fh]
    body = bench_harvest.OAI_HEAD + "".join(bench_harvest.oai_record(p) for p in rows)
    body += '<resumptionToken cursor="0" completeListSize="1000"></resumptionToken>'
    body += "\n</ListRecords>\n</OAI-PMH>\n"
    server = bench_harvest.serve([body.encode()])
    url = f"http://127.0.0.1:{server.server_address[1]}/oai"
    try:
        fetch_s, fetched = cli(
            env,
            "fetch",
            "arxiv",
            "--set",
            "cs",
            "--from",
            day.isoformat(),
            "--until",
            day.isoformat(),
            "--base-url",
            url,
            "--restart",
            "--json",
        )
    finally:
        server.shutdown()
    embed_s, embedded = cli(env, "embed", "--device", "cpu")
    return {
        "day": day.isoformat(),
        "fetch_store_lexical_s": round(fetch_s, 1),
        "embed_vector_sync_s": round(embed_s, 1),
        "total_s": round(fetch_s + embed_s, 1),
        "fetch": orjson.loads(fetched.strip().splitlines()[-1]),
        "embed": embedded.strip().splitlines()[-3:],
    }


def run_stage(name: str, args, env: dict) -> dict:
    corpus, home, url = args.corpus, args.home, args.database_url
    if name == "init":
        seconds, _ = cli(env, "init")
        return {"seconds": round(seconds, 1)}
    if name == "ingest":
        seconds, out = cli(env, "ingest", str(corpus / "papers.jsonl.gz"), "--no-index", "--json")
        summary = orjson.loads(out.strip().splitlines()[-1])
        records = summary["new"] + summary["updated"] + summary["unchanged"]
        return {
            "seconds": round(seconds, 1),
            "papers_per_s": round(records / seconds),
            "summary": {k: summary[k] for k in ("new", "updated", "unchanged", "rejected")},
            "database_bytes": database_bytes(home, url),
        }
    if name == "vectors":
        seconds, out = cli(
            env,
            "embed",
            "--import",
            str(corpus / "vectors.f16.npy"),
            "--ids",
            str(corpus / "vectors.ids.txt"),
            "--no-sync",
        )
        return {
            "seconds": round(seconds, 1),
            "output": out.strip().splitlines()[-1:],
            "database_bytes": database_bytes(home, url),
        }
    if name == "index":
        seconds, out = cli(env, "index", "--rebuild", "--json")
        index = home / "index"
        sizes = {p.name: du(p) for p in sorted(index.iterdir()) if p.is_dir()}
        return {"seconds": round(seconds, 1), "index_bytes": sizes, "result": orjson.loads(out)}
    if name == "search":
        return child(env, "search", "--repeat", str(args.repeat), "--search-mode", args.search_mode)
    if name == "pages":
        # the page cache off: rendering is measured here (bench_cache.py measures the cache)
        uncached = {**env, "PAPERFEED_PAGE_CACHE_SECONDS": "0"}
        return child(uncached, "pages", "--repeat", str(args.repeat * 10))
    if name == "rss":
        return child(env, "rss")
    if name == "day":
        import numpy as np

        papers = np.load(corpus / "vectors.f16.npy", mmap_mode="r").shape[0]
        return stage_day(corpus, home, env, papers)
    raise ValueError(name)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", type=Path, nargs="?", help="gen_scale_corpus.py's output")
    parser.add_argument("--home", type=Path, help="PAPERFEED_HOME to build and measure")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default SQLite)")
    parser.add_argument("--stages", default=",".join(STAGES), help="comma-separated, in order")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the queries (3)")
    parser.add_argument(
        "--search-mode",
        choices=("hybrid", "lexical"),
        default="hybrid",
        help="the search stage's mode (lexical: no vector index needed)",
    )
    parser.add_argument("--child", choices=("search", "pages", "rss"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _setup()
        result = {
            "search": lambda: child_search(args.repeat, args.search_mode),
            "pages": lambda: child_pages(args.repeat),
            "rss": child_rss,
        }[args.child]()
        print(orjson.dumps(result).decode())
        return
    if args.corpus is None or args.home is None:
        parser.error("CORPUS_DIR and --home are needed")
    stages = [s for s in args.stages.split(",") if s]
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        parser.error(f"unknown stage(s) {', '.join(unknown)}; stages are {', '.join(STAGES)}")
    args.home.mkdir(parents=True, exist_ok=True)
    env = environment(args.home, args.database_url)
    database = "PostgreSQL" if args.database_url else "SQLite"
    for name in stages:
        log(f"{name}: started ({database}, {args.corpus})")
        load_before = os.getloadavg()
        CPU_SECONDS.clear()
        result = run_stage(name, args, env)
        record = {
            "stage": name,
            "database": database,
            "corpus": str(args.corpus),
            "finished": dt.datetime.now().isoformat(timespec="seconds"),
            "load_before": [round(x, 1) for x in load_before],
            "load_after": [round(x, 1) for x in os.getloadavg()],
            **({"cpu_seconds": list(CPU_SECONDS)} if CPU_SECONDS else {}),
            **result,
        }
        with open(args.home / "scale-results.jsonl", "ab") as fh:
            fh.write(orjson.dumps(record) + b"\n")
        log(f"{name}: cpu {CPU_SECONDS} {orjson.dumps(result).decode()[:600]}")


if __name__ == "__main__":
    main()

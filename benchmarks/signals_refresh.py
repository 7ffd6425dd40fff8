"""Requests and wall time to refresh every external signal of the 75k-paper corpus.

    nice python benchmarks/signals_refresh.py [--fresh] [--sources hf,github,s2] [--days 30]

The shared corpus (../shared/data/arxiv-cs-2025-2026.jsonl.gz, 74,728 papers) is loaded once
into a scratch SQLite ``PAPERFEED_HOME`` (``paperfeed init`` + ``paperfeed ingest --no-index``)
cached under /tmp/paperfeed-bench-signals (``--fresh`` rebuilds it); each run works on a copy.
A local HTTP server answers like the services, with synthetic but realistic bodies in the
recorded shapes (../shared/fixtures/signals):

- Semantic Scholar: ``POST /graph/v1/paper/batch``, one object per id asked (3 % null), ~1.2 kB
  each like the recorded batch;
- GitHub: ``GET /repos/{owner}/{repo}`` for every repository stored (4 % 404), the shape of a
  real 2026 recording;
- Hugging Face: ``GET /api/daily_papers?date=D`` for every day of the corpus span, 30 entries of
  papers listed that day (a recorded 2026 entry with its id, title, upvotes, githubRepo changed).

The sources run as ``paperfeed fetch`` runs them (:func:`paperfeed.signals.fetching.run`) with
``PAPERFEED_SIGNALS_DELAY=0``, so the wall time is our own overhead: HTTP, JSON, the database
writes (timed apart by wrapping the store's writers). Then the wall time each service's published
limits impose on the same requests (S2 with a key: 1 request/s; GitHub: 5,000 requests/h with a
token, 60/h without; HF: our delay, 1 s), and S2's steady state: the requests per day once every
paper was asked, from the refresh-by-age rule simulated over ``--days`` days of the corpus.
A source whose module does not exist yet is reported as such and only its paced time is given.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import gzip
import hashlib
import importlib.util
import math
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import orjson

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PAPERFEED_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "data" / "arxiv-cs-2025-2026.jsonl.gz"
FIXTURES = SHARED / "fixtures" / "signals"
CACHE = Path(tempfile.gettempdir()) / "paperfeed-bench-signals"
ORDER = ("hf", "github", "s2")
"""HF first (it links HF's githubRepo), then GitHub (every repository), then S2."""
HF_PER_DAY = 30
S2_NULL, GITHUB_GONE = 0.03, 0.04
S2_PER_SECOND = 1.0
GITHUB_PER_HOUR = {"with a token": 5000, "without": 60}
HF_DELAY = 1.0


# -- the corpus, loaded once ------------------------------------------------------------------


def prepared_home(fresh: bool) -> tuple[Path, float | None]:
    """The cached home with the corpus ingested; (path, seconds the load took or None)."""
    home = CACHE / "home"
    if (home / "paperfeed.sqlite3").exists() and not fresh:
        return home, None
    shutil.rmtree(CACHE, ignore_errors=True)
    home.mkdir(parents=True)
    env = {**os.environ, "PAPERFEED_HOME": str(home), "DATABASE_URL": ""}
    began = time.perf_counter()
    for args in (["init"], ["ingest", str(CORPUS), "--no-index"]):
        subprocess.run([sys.executable, "-m", "paperfeed", *args], env=env, check=True)
    return home, time.perf_counter() - began


def working_copy(home: Path) -> Path:
    """A copy of the cached home (SQLite's backup API: consistent even with a WAL)."""
    target = Path(tempfile.mkdtemp(prefix="paperfeed-bench-signals-run-"))
    for path in home.iterdir():
        if path.is_file() and not path.name.startswith("paperfeed.sqlite3"):
            shutil.copy2(path, target / path.name)
    source = sqlite3.connect(home / "paperfeed.sqlite3")
    copy_db = sqlite3.connect(target / "paperfeed.sqlite3")
    source.backup(copy_db)
    source.close()
    copy_db.close()
    return target


def corpus_rows() -> list[dict]:
    with gzip.open(CORPUS, "rb") as fh:
        return [orjson.loads(line) for line in fh]


# -- the synthetic services -------------------------------------------------------------------


def _unit(text: str) -> float:
    """A stable number in [0, 1) from ``text``: the same answers every run."""
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) / 2**32


def s2_object(arxiv_id: str) -> dict | None:
    if _unit("null" + arxiv_id) < S2_NULL:
        return None
    cites = int(_unit("c" + arxiv_id) ** 3 * 400)
    venue = _unit("v" + arxiv_id) < 0.15
    place = (
        {
            "id": "1e33b3be-b2ab-46e9-96e8-d4eb4bad6e44",
            "name": "Annual Meeting of the Association for Computational Linguistics",
            "type": "conference",
            "alternate_names": ["Annu Meet Assoc Comput Linguistics", "ACL"],
            "url": "https://www.aclweb.org/anthology/venues/acl/",
        }
        if venue
        else {
            "id": "1901e811-ee72-4b20-8f7e-de08cd395a10",
            "name": "arXiv.org",
            "alternate_names": ["ArXiv"],
            "issn": "2331-8422",
            "url": "https://arxiv.org",
        }
    )
    green = _unit("p" + arxiv_id) < 0.6
    return {
        "paperId": hashlib.sha1(f"bench:{arxiv_id}".encode()).hexdigest(),
        "externalIds": {
            "ArXiv": arxiv_id,
            "DOI": f"10.48550/arXiv.{arxiv_id}",
            "CorpusId": 279_000_000 + int(_unit("id" + arxiv_id) * 1e7),
        },
        "publicationVenue": place,
        "title": f"Paper {arxiv_id}",
        "venue": place["name"],
        "year": 2000 + int(arxiv_id[:2]),
        "citationCount": cites,
        "influentialCitationCount": cites // 9,
        "openAccessPdf": {
            "url": f"http://arxiv.org/pdf/{arxiv_id}" if green else "",
            "status": "GREEN" if green else None,
            "license": None,
            "disclaimer": "Notice: Paper or abstract available at https://arxiv.org/abs/"
            f"{arxiv_id}, which is subject to the license by the author or copyright owner "
            "provided with this content. Please go to the source to verify the license and "
            "copyright information for your use.",
        },
        "publicationDate": None,
        "tldr": {
            "model": "tldr@v2.0.0",
            "text": "We propose a method that improves over strong baselines on several "
            f"benchmarks while using fewer resources ({arxiv_id}).",
        }
        if _unit("t" + arxiv_id) < 0.8
        else None,
    }


def github_repo(template: dict, owner: str, name: str) -> dict | None:
    key = f"{owner}/{name}".lower()
    if _unit("gone" + key) < GITHUB_GONE:
        return None
    repo = copy.deepcopy(template)
    stars = int(_unit("s" + key) ** 4 * 5000)
    repo.update(
        name=name,
        full_name=f"{owner}/{name}",
        html_url=f"https://github.com/{owner}/{name}",
        stargazers_count=stars,
        watchers_count=stars,
        forks_count=stars // 8,
        pushed_at=f"2026-0{1 + int(_unit('m' + key) * 6)}-1{int(_unit('d' + key) * 9)}T08:00:00Z",
        archived=_unit("a" + key) < 0.02,
    )
    repo["owner"] = {**repo.get("owner", {}), "login": owner}
    return repo


def hf_entries(template: dict, day: str, papers: list[dict]) -> list[dict]:
    entries = []
    for paper in papers:
        entry = copy.deepcopy(template)
        item = entry["paper"]
        upvotes = int(_unit("u" + paper["id"]) ** 3 * 120)
        item.update(
            id=paper["id"],
            title=paper["title"],
            summary=paper["abstract"],
            upvotes=upvotes,
            publishedAt=f"{day}T17:59:59.000Z",
            submittedOnDailyAt=f"{day}T00:00:00.000Z",
        )
        for key in ("githubRepo", "githubStars", "githubRepoAddedBy"):
            item.pop(key, None)
        if paper.get("repo"):
            item["githubRepo"] = f"https://github.com/{paper['repo']}"
            item["githubStars"] = int(_unit("s" + paper["repo"].lower()) ** 4 * 5000)
        entry.update(
            title=paper["title"], summary=paper["abstract"], publishedAt=item["publishedAt"]
        )
        entries.append(entry)
    return entries


class Services:
    """One local server playing S2, GitHub and HF; counts the requests it answers."""

    def __init__(self, hf_days: dict[str, list[dict]]):
        self.github_template = orjson.loads(
            (FIXTURES / "github" / "repos" / "cosmtrek__mindwalk.json").read_bytes()
        )
        recorded = orjson.loads(
            (FIXTURES / "hf-daily-papers" / "date-2026-06-12.json").read_bytes()
        )
        self.hf_template = next(e for e in recorded if e["paper"].get("githubRepo"))
        self.hf_days = hf_days
        self.served: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, method: str, path: str, params: dict, body: bytes) -> tuple[int, object]:
        if method == "POST" and path == "/graph/v1/paper/batch":
            ids = [i.removeprefix("ARXIV:") for i in orjson.loads(body)["ids"]]
            return 200, [s2_object(i) for i in ids]
        if path.startswith("/repos/"):
            owner, name = path.removeprefix("/repos/").split("/", 1)
            repo = github_repo(self.github_template, owner, name)
            return (200, repo) if repo else (404, {"message": "Not Found", "status": "404"})
        if path == "/api/daily_papers":
            limit, page = int(params.get("limit", 50)), int(params.get("p", 0))
            papers = self.hf_days.get(params.get("date", ""), [])[page * limit : (page + 1) * limit]
            return 200, hf_entries(self.hf_template, params.get("date", ""), papers)
        return 404, {"message": f"no route for {method} {path}"}

    def _handler(self):
        services = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, data = services.answer(
                    self.command, parts.path, dict(parse_qsl(parts.query)), body
                )
                payload = orjson.dumps(data)
                with services.lock:
                    services.served[parts.path.split("/")[1]] += 1
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = do_GET  # noqa: N815 - http.server's name

            def log_message(self, *args):
                pass

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- timing the database writes ---------------------------------------------------------------


class WriteTimer:
    """Seconds spent in the store's writers (wrapped in place for the run)."""

    TARGETS = (
        ("paperfeed.signals.store", "save_signals"),
        ("paperfeed.signals.store", "link_repositories"),
        ("paperfeed.signals.store", "update_repository"),
        ("paperfeed.signals.store", "reported_stars"),
        ("paperfeed.ingest.upsert", "ingest"),
    )

    def __init__(self):
        self.seconds = 0.0
        self.depth = 0
        for module_name, attr in self.TARGETS:
            module = importlib.import_module(module_name)
            setattr(module, attr, self._timed(getattr(module, attr)))

    def _timed(self, function):
        def timed(*args, **kwargs):
            self.depth += 1
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.depth -= 1
                if self.depth == 0:  # nested writers count once
                    self.seconds += time.perf_counter() - began

        return timed


# -- the run ----------------------------------------------------------------------------------


def steady_state_s2(rows: list[dict], start: dt.date, days: int) -> list[int]:
    """Papers S2 is asked per day for ``days`` days after a full refresh on ``start``, papers
    arriving on their listing day (the refresh-by-age rule of signals/sources/s2.py)."""
    from paperfeed.signals.sources.s2 import overdue_days

    born = [dt.date.fromisoformat(r["listed"]) for r in rows]
    asked: list[dt.date | None] = [start if b <= start else None for b in born]
    per_day = []
    for offset in range(1, days + 1):
        today = start + dt.timedelta(days=offset)
        due = 0
        for i, day in enumerate(born):
            if day <= today and overdue_days(today, day, asked[i]) is not None:
                asked[i] = today
                due += 1
        per_day.append(due)
    return per_day


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
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def _hours(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="Load the corpus again.")
    parser.add_argument("--sources", default=",".join(ORDER), help="Which, in order.")
    parser.add_argument("--days", type=int, default=30, help="Days of S2 steady state.")
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} is absent")
    home, load_seconds = prepared_home(args.fresh)
    run_home = working_copy(home)
    os.environ.update(
        PAPERFEED_HOME=str(run_home),
        DATABASE_URL="",
        PAPERFEED_SIGNALS_DELAY="0",
        GITHUB_TOKEN="",
        S2_API_KEY="",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from paperfeed.signals import fetching, links
    from paperfeed.signals.models import PaperSignals, Repository

    call_command("migrate", interactive=False, verbosity=0)  # migrations newer than the cache
    rows = corpus_rows()
    first = min(dt.date.fromisoformat(r["listed"]) for r in rows)
    last = max(dt.date.fromisoformat(r["listed"]) for r in rows)
    today = last + dt.timedelta(days=1)
    repos_in_text: set[str] = set()
    hf_days: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        found = links.code_links(f"{row['abstract']}\n{row.get('comment') or ''}")
        github = [name for kind, name in found if kind == links.GITHUB]
        repos_in_text.update(name.lower() for name in github)
        if _unit("hf" + row["id"]) < 0.5 and len(hf_days[row["listed"]]) < HF_PER_DAY:
            hf_days[row["listed"]].append({**row, "repo": github[0] if github else None})

    services = Services(hf_days)
    for name in ("PAPERFEED_S2_API_URL", "PAPERFEED_GITHUB_API_URL", "PAPERFEED_HF_URL"):
        setattr(settings, name, services.url)
    timer = WriteTimer()
    results = []
    for name in args.sources.split(","):
        if importlib.util.find_spec(f"paperfeed.signals.sources.{name}") is None:
            results.append((name, None, 0.0, 0.0, "source not built yet"))
            continue
        options = fetching.Options(today=today, since=first if name == "hf" else None)
        writes_before, began = timer.seconds, time.perf_counter()
        try:
            report = fetching.run(name, options)
            outcome = ", ".join(f"{v:,} {k}" for k, v in report.counts.items())
            requests = report.requests
        except Exception as exc:  # a benchmark reports a failing source and goes on
            outcome, requests = f"FAILED: {exc}"[:300], None
        seconds = time.perf_counter() - began
        results.append((name, requests, seconds, timer.seconds - writes_before, outcome))
    # S2 again: the next day (only what the age rule says is due), then --force (every row
    # exists: the update path, as when the monthly papers fall due together)
    again = []
    for label, force in (("next day, due only", False), ("next day, --force", True)):
        writes_before, began = timer.seconds, time.perf_counter()
        report = fetching.run(
            "s2", fetching.Options(today=today + dt.timedelta(days=1), force=force)
        )
        seconds = time.perf_counter() - began
        again.append((label, report, seconds, timer.seconds - writes_before))
    services.close()
    steady = steady_state_s2(rows, today - dt.timedelta(days=args.days + 1), args.days)

    papers = len(rows)
    with_s2 = PaperSignals.objects.exclude(s2_id="").count()
    repositories = Repository.objects.filter(kind="github").count()
    print(f"{machine()}\n")
    if load_seconds is not None:
        print(f"corpus loaded (init + ingest --no-index): {load_seconds:.0f} s\n")
    print(f"{papers:,} papers, listed {first} .. {last}; refresh run on {today} (UTC)")
    print(
        f"GitHub repositories: {len(repos_in_text):,} distinct in the arXiv text "
        f"(signals.links.code_links), {repositories:,} stored after the run\n"
    )
    print("| source | requests | wall (delay 0) | requests/s | DB writes | result |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for name, requests, seconds, writes, outcome in results:
        if requests is None and outcome == "source not built yet":
            print(f"| {name} | – | – | – | – | {outcome} |")
            continue
        rate = f"{requests / seconds:,.1f}" if requests else "–"
        shown = f"{requests:,}" if requests is not None else "–"
        print(f"| {name} | {shown} | {seconds:.1f} s | {rate} | {writes:.1f} s | {outcome} |")
    for label, report, seconds, writes in again:
        counts = ", ".join(f"{v:,} {k}" for k, v in report.counts.items())
        rate = f"{report.requests / seconds:,.1f}" if report.requests else "–"
        print(
            f"| s2 ({label}) | {report.requests:,} | {seconds:.1f} s | {rate} | {writes:.1f} s "
            f"| {counts} |"
        )
    batches = math.ceil(papers / 500)
    paced = [
        (
            "s2",
            f"{batches} batches of ≤ 500",
            f"1 request/s (key): {_hours(batches / S2_PER_SECOND)}",
        ),
        *(
            (
                "github",
                f"{len(repos_in_text):,} repositories",
                f"{per_hour:,}/h {label}: {_hours(len(repos_in_text) / per_hour * 3600)}",
            )
            for label, per_hour in GITHUB_PER_HOUR.items()
        ),
        (
            "hf",
            f"{(today - first).days:,} list days",
            f"our delay {HF_DELAY:g} s: {_hours((today - first).days * HF_DELAY)}",
        ),
    ]
    print("\n| source | requests | paced by the service's limit |")
    print("| --- | ---: | --- |")
    for row in paced:
        print("| " + " | ".join(row) + " |")
    average = sum(steady) / len(steady)
    print(
        f"\nS2 steady state over {args.days} days: {average:,.0f} papers/day "
        f"(min {min(steady):,}, max {max(steady):,}) = "
        f"{sum(math.ceil(n / 500) for n in steady) / len(steady):.1f} batches/day; "
        f"S2 data stored for {with_s2:,} papers"
    )
    shutil.rmtree(run_home, ignore_errors=True)


if __name__ == "__main__":
    main()

"""The new day of ``bench_load.py``: ingest it and run the worker while the load runs, then check
over HTTP that the running web processes serve it (no restart).

Timeline (seconds from the job's start): ``paperfeed ingest NEW-DAY.jsonl`` (which syncs the
keyword index at its end, as the worker's fetch step does), then ``paperfeed worker --once
--no-fetch`` (embeds the new papers, updates the indexes, sends due digests). Two probes poll
meanwhile: a keyword search for a new paper's title (``/api/v1/search?mode=lexical``) and that
paper's similar-papers list (filled once its vector is in the vector index).
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

PROBE_INTERVAL = 0.5
PROBE_DEADLINE = 120  # seconds after the worker finished
TITLE_CHECKS = 10
SWEEP_THREADS = 4
HEADERS = {"X-Forwarded-Proto": "https", "User-Agent": "paperfeed-load-check/1"}


def fetch(base: str, path: str, timeout: float = 30) -> tuple[int, bytes]:
    """GET ``base + path``: (status, body); status 0 when the connection failed."""
    request = urllib.request.Request(base + path, headers=HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (OSError, TimeoutError) as exc:
        return 0, str(exc).encode()


def fetch_json(base: str, path: str) -> tuple[int, dict | list | None]:
    status, body = fetch(base, path)
    try:
        return status, json.loads(body) if status == 200 else None
    except ValueError:
        return status, None


def searchable_title(title: str) -> str:
    """The title's words without the query language's operators, quotes or LaTeX."""
    words = re.sub(r"[^\w\s-]", " ", title).split()
    return " ".join(w.strip("-") for w in words if w.strip("-"))


def server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as conn:
        return conn.execute("SHOW server_version").fetchone()[0].split()[0]


class NewDayJob:
    def __init__(self, env: dict, split, papers: list[dict], base: str, work: Path):
        self.env, self.split, self.papers, self.base, self.work = env, split, papers, base, work
        self.ids = [p["id"] for p in papers]
        self.probe_paper = next(
            (p for p in papers if len(searchable_title(p["title"]).split()) >= 4), papers[0]
        )
        self.started = False
        self.times: dict[str, float] = {}
        self.returncodes: dict[str, int] = {}
        self.cpu_seconds: dict[str, float] = {}
        self.checks: dict[str, dict] = {}
        self.process: subprocess.Popen | None = None
        self.thread: threading.Thread | None = None
        self.error = ""
        self._stop = threading.Event()

    # -- running -------------------------------------------------------------------------
    def start(self, run_started: float) -> None:
        self.started = True
        self.t0 = time.monotonic()
        self.times["job_start_in_run"] = round(self.t0 - run_started, 2)
        self.thread = threading.Thread(target=self._run, name="new-day", daemon=True)
        self.thread.start()

    @property
    def done(self) -> bool:
        return self.thread is not None and not self.thread.is_alive()

    def join(self, timeout: float) -> None:
        if self.thread:
            self.thread.join(timeout)
            if self.thread.is_alive():
                self.error = f"the new-day job did not finish within {timeout:.0f} s"

    def kill(self) -> None:
        self._stop.set()
        process = self.process
        if process and process.returncode is None:  # the job thread reaps it (os.wait4)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            if self.thread:
                self.thread.join(30)

    def _now(self) -> float:
        return round(time.monotonic() - self.t0, 2)

    def _command(self, name: str, *args: str) -> None:
        log = (self.work / f"{name}.log").open("wb")
        self.times[f"{name}_start"] = self._now()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "paperfeed", *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _, status, usage = os.wait4(self.process.pid, 0)  # its exit and its CPU time
        self.process.returncode = self.returncodes[name] = os.waitstatus_to_exitcode(status)
        self.cpu_seconds[name] = round(usage.ru_utime + usage.ru_stime, 1)
        log.close()
        self.times[f"{name}_end"] = self._now()

    def _probe(self, name: str, path: str, hit) -> None:
        """Poll ``path`` until ``hit(status, body)``; record when that first happened."""
        while not self._stop.is_set():
            status, body = fetch_json(self.base, path)
            if hit(status, body):
                self.times[name] = self._now()
                return
            worker_end = self.times.get("worker_end")
            if worker_end is not None and self._now() - worker_end > PROBE_DEADLINE:
                return
            time.sleep(PROBE_INTERVAL)

    def _run(self) -> None:
        pid = self.probe_paper["id"]
        query = urlencode({"q": searchable_title(self.probe_paper["title"]), "mode": "lexical"})
        probes = [
            threading.Thread(
                target=self._probe,
                args=(
                    "first_keyword_hit",
                    f"/api/v1/search?{query}",
                    lambda s, b: s == 200 and pid in [i["paper"]["id"] for i in b["items"]],
                ),
            ),
            threading.Thread(
                target=self._probe,
                args=(
                    "first_similar_list",
                    f"/api/v1/papers/{pid}/similar",
                    lambda s, b: s == 200 and bool(b["items"]),
                ),
            ),
        ]
        try:
            for probe in probes:
                probe.start()
            self._command("ingest", "ingest", str(self.split.held_back_file))
            if not self._stop.is_set():
                self._command("worker", "worker", "--once", "--no-fetch")
            for probe in probes:
                probe.join()
            if not self._stop.is_set():
                self.checks = self.verify()
        except Exception as exc:  # noqa: BLE001 - reported as a problem of the run
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self._stop.set()

    # -- checking ------------------------------------------------------------------------
    def verify(self) -> dict:
        """Every check of the new day over HTTP; each ``{"ok": bool, ...}``."""
        base, ids, day = self.base, set(self.ids), self.split.held_back_day
        started = time.monotonic()
        checks: dict[str, dict] = {}
        with ThreadPoolExecutor(SWEEP_THREADS) as pool:  # 300 pages one by one: too slow
            statuses = list(pool.map(lambda pid: fetch(base, f"/papers/{pid}")[0], self.ids))
        bad = [pid for pid, status in zip(self.ids, statuses, strict=True) if status != 200]
        checks["paper_pages_200"] = {"ok": not bad, "checked": len(ids), "not_200": bad[:5]}
        missed, page_missed = [], []
        for paper in self.papers[:TITLE_CHECKS]:
            q = urlencode({"q": searchable_title(paper["title"]), "mode": "lexical"})
            _, body = fetch_json(base, f"/api/v1/search?{q}")
            if not body or paper["id"] not in [i["paper"]["id"] for i in body["items"]]:
                missed.append(paper["id"])
            status, page = fetch(base, f"/search?{q}")
            if status != 200 or f"/papers/{paper['id']}".encode() not in page:
                page_missed.append(paper["id"])
        checks["title_search_api"] = {"ok": not missed, "checked": TITLE_CHECKS, "missed": missed}
        checks["title_search_page"] = {
            "ok": not page_missed,
            "checked": TITLE_CHECKS,
            "missed": page_missed,
        }
        listed: list[str] = []
        for page_number in range(1, 20):
            status, body = fetch_json(
                base, f"/api/v1/feeds/daily?date={day}&per_page=100&page={page_number}"
            )
            if status != 200 or not body:
                break
            listed += [item["id"] for item in body["items"]]
            if not body.get("has_next"):
                break
        checks["api_daily_feed"] = {
            "ok": set(listed) == ids and len(listed) == len(ids),
            "listed": len(listed),
            "expected": len(ids),
        }
        _, hf = fetch_json(base, f"/api/daily_papers?date={day}&limit=100")
        hf_ids = {entry["paper"]["id"] for entry in hf or []}
        checks["hf_daily_papers"] = {"ok": bool(hf_ids) and hf_ids <= ids, "listed": len(hf_ids)}
        status, page = fetch(base, f"/day/{day}")
        shown = {pid for pid in ids if f"/papers/{pid}".encode() in page}
        checks["day_page"] = {
            "ok": status == 200 and bool(shown),
            "status": status,
            "shown": len(shown),
        }
        status, page = fetch(base, "/")
        home_shown = {pid for pid in ids if f"/papers/{pid}".encode() in page}
        checks["home_shows_new_day"] = {
            "ok": status == 200 and bool(home_shown),
            "shown": len(home_shown),
        }
        empty = []
        for pid in self.ids[:TITLE_CHECKS]:
            status, body = fetch_json(base, f"/api/v1/papers/{pid}/similar")
            if status != 200 or not body or not body["items"]:
                empty.append(pid)
        checks["similar_lists"] = {"ok": not empty, "checked": TITLE_CHECKS, "empty": empty}
        status, body = fetch_json(base, f"/api/papers/{self.ids[0]}")
        title = html.unescape((body or {}).get("title", ""))
        checks["hf_paper"] = {"ok": status == 200 and bool(title), "status": status}
        checks["seconds"] = round(time.monotonic() - started, 1)
        return checks

    def report(self) -> dict:
        problems = [self.error] if self.error else []
        for name, code in self.returncodes.items():
            if code != 0:
                problems.append(f"paperfeed {name} exited with {code} (see {self.work}/{name}.log)")
        if not self.checks:
            problems.append("the new day was not checked")
        for name, check in self.checks.items():
            if isinstance(check, dict) and not check["ok"]:
                problems.append(f"new day: {name} failed: {check}")
        for probe in ("first_keyword_hit", "first_similar_list"):
            if probe not in self.times:
                problems.append(f"new day: {probe} never happened")
        after = {}
        for probe in ("first_keyword_hit", "first_similar_list"):
            if probe in self.times and "worker_end" in self.times:
                after[f"{probe}_after_ingest_s"] = round(
                    self.times[probe] - self.times["ingest_end"], 2
                )
                after[f"{probe}_after_worker_s"] = round(
                    self.times[probe] - self.times["worker_end"], 2
                )
        return {
            "day": self.split.held_back_day,
            "papers": len(self.ids),
            "probe_paper": self.probe_paper["id"],
            "times_s": self.times,
            "relative": after,
            "returncodes": self.returncodes,
            "cpu_seconds": self.cpu_seconds,
            "checks": self.checks,
            "problems": problems,
        }

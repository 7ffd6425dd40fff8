"""Anonymous traffic for ``bench_cache.py``: the routes the page cache serves.

Two user classes (``bench_cache.py`` names one on locust's command line):

- ``Reader``: an anonymous visitor with the think time of ``locustfile.py`` (0.3–1.5 s) over the
  home, day, trending and paper pages, ``/api/daily_papers`` and the daily feed; the p95 at 50
  such users is the issue's latency goal.
- ``Hammer``: no think time, one URL (``PAPERFEED_BENCH_URL``, or one of the plan's
  ``hammer_papers`` pages when it is ``paper``): the most requests per second the server answers.

``PAPERFEED_LOAD_PLAN`` names a JSON file with ``days``, ``papers``, ``hammer_papers`` (written by
``bench_cache.py``). Every request must answer 200.
"""

from __future__ import annotations

import json
import os
import random

from locust import FastHttpUser, between, constant, task

with open(os.environ["PAPERFEED_LOAD_PLAN"], encoding="utf-8") as _fh:
    PLAN = json.load(_fh)
URL = os.environ.get("PAPERFEED_BENCH_URL", "/")


class _Anonymous(FastHttpUser):
    abstract = True

    def on_start(self) -> None:
        self.rng = random.Random()

    def get(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")

    def paper(self, key: str = "papers") -> str:
        return f"/papers/{self.rng.choice(PLAN[key])}"


class Reader(_Anonymous):
    wait_time = between(0.3, 1.5)

    @task(10)
    def home(self) -> None:
        self.get("/", "page: home /")

    @task(3)
    def day(self) -> None:
        self.get(f"/day/{self.rng.choice(PLAN['days'])}", "page: day /day/[date]")

    @task(3)
    def trending(self) -> None:
        self.get("/trending", "page: trending")

    @task(12)
    def paper_page(self) -> None:
        self.get(self.paper(), "page: paper /papers/[id]")

    @task(4)
    def daily_papers(self) -> None:
        self.get("/api/daily_papers", "api: /api/daily_papers")

    @task(1)
    def feed(self) -> None:
        self.get("/feeds/daily.atom", "feed: /feeds/daily.atom")


class Hammer(_Anonymous):
    wait_time = constant(0)

    @task
    def one(self) -> None:
        self.get(self.paper("hammer_papers") if URL == "paper" else URL, URL)

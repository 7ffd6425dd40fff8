"""Hugging Face's daily papers served from the recorded responses (``hf-daily-papers/``), and
what the HF tests compare: the stored tables, and what the recorded files should give."""

from __future__ import annotations

import datetime as dt
import functools
import json

import pytest

from paperfeed.papers.models import Paper
from paperfeed.signals.http import JsonClient
from paperfeed.signals.models import PaperRepository, PaperSignals, Repository, StarSnapshot
from paperfeed.signals.sources import hf as hf_source
from tests.conftest import shared_file
from tests.signals.server import recorded

HF = "hf-daily-papers"
PATH = "/api/daily_papers"
W24 = ["2026-06-08", "2026-06-09", "2026-06-10", "2026-06-11", "2026-06-12"]
"""ISO week 2026-W24, Monday to Friday: the five real recorded days."""
LATER = "no-date.limit100.recorded-2026-06-13.json"
"""A later snapshot (2026-06-13) of day 2026-06-12."""


def serve_day(service, day: str, *replies):
    """Answer ``?date=day`` (any page) with ``replies``, else with the recorded day."""
    return service.route(PATH, {"date": day}, *(replies or [recorded(HF, f"date-{day}.json")]))


def entries(body: str) -> list[dict]:
    return json.loads(shared_file("fixtures", "signals", HF, body).read_text())


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def requested_days(service) -> list[str]:
    return [params["date"] for params in service.params(PATH)]


@pytest.fixture
def fast_client(monkeypatch, fake_time):
    """The HF source's JSON client with a clock that moves only when it sleeps (retries)."""
    monkeypatch.setattr(
        hf_source,
        "JsonClient",
        functools.partial(JsonClient, sleep=fake_time.sleep, clock=fake_time.clock),
    )
    return fake_time


def stored() -> dict[str, list]:
    """Everything a fetch writes (papers and signal tables), to compare two moments."""
    return {
        "papers": list(Paper.objects.order_by("pk").values()),
        "signals": list(PaperSignals.objects.order_by("pk").values()),
        "repositories": list(Repository.objects.order_by("key").values()),
        "links": list(
            PaperRepository.objects.order_by("paper_id", "repository__key").values_list(
                "paper_id", "repository__key"
            )
        ),
        "snapshots": list(
            StarSnapshot.objects.order_by("repository__key", "day").values_list(
                "repository__key", "day", "stars", "source"
            )
        ),
    }


def expected_from(bodies: list[str]) -> dict:
    """What storing these recorded days must give: each paper once (the last entry's upvotes),
    each (paper, repository) link once, and the star counts HF reported."""
    papers, links, stars = {}, set(), {}
    for body in bodies:
        for entry in entries(body):
            paper = entry["paper"]
            papers[paper["id"]] = paper["upvotes"]
            if repo := paper.get("githubRepo"):
                name = repo.removeprefix("https://github.com/").strip("/").lower()
                links.add((paper["id"], f"github:{name}"))
                if paper.get("githubStars") is not None:
                    stars[f"github:{name}"] = paper["githubStars"]
    return {"upvotes": papers, "links": links, "stars": stars}

"""Screenshots of paperfeed's pages for docs/screenshots, taken in real Chromium.

    python scripts/screenshots.py                      # build a demo data home, then shoot
    python scripts/screenshots.py --home ~/paperfeed   # shoot an existing data home

It starts ``paperfeed serve`` on a free port against the data home (a SQLite store in it), opens
the pages with Playwright driving Debian's Chromium (/usr/bin/chromium; Playwright's own browser
download is never used) and writes viewport-sized PNGs. Without ``--home`` it first builds a
demo home in a temporary directory: the first 3,000 papers of
../shared/data/arxiv-cs-2025-2026.jsonl.gz, their search index and vectors (the shared
precomputed vectors are imported when they sit next to the file, else the model embeds them),
and a small community made through paperfeed's own functions: users, upvotes, one submission,
comments and a reply.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import itertools
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "demo-password-for-screenshots-1"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
USERNAMES = [
    "ada", "grace", "alan", "barbara", "claude", "donald", "edsger", "frances",
    "john", "katherine", "leslie", "margaret", "niklaus", "radia", "tim", "yoshua",
]  # fmt: skip
COMMENTS = [
    "The ablation in **Table 3** is the convincing part: removing the `router` costs 4 points.",
    "Has anyone tried this on *longer* contexts? The paper stops at 8k tokens.",
    "Code is linked in the abstract page; it ran out of the box for me.\n\n- install\n- "
    "`python train.py --small`\n- about 2 h on one GPU",
]
REPLY = "> Has anyone tried this on *longer* contexts?\n\nYes, it degrades gracefully up to 32k."


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    viewport: dict
    dark: bool = False
    logged_in: bool = False
    wait_for: str = "main"


def demo_environment(home: Path) -> dict:
    """The environment of paperfeed processes on ``home`` (SQLite inside it)."""
    env = {**os.environ, "PAPERFEED_HOME": str(home), "DATABASE_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.setdefault("SECRET_KEY", "screenshots-only-secret-key-0123456789-abcdefghijklmnop")
    return env


def paperfeed(*args: str, env: dict) -> None:
    command = [sys.executable, "-m", "paperfeed", *args]
    print("$ paperfeed", " ".join(args), flush=True)
    subprocess.run(command, env=env, check=True)


def write_sample(source: Path, count: int, target: Path) -> None:
    with gzip.open(source, "rt", encoding="utf-8") as lines, target.open("w") as out:
        for line in itertools.islice(lines, count):
            out.write(line)


def vectors_next_to(source: Path) -> tuple[Path, Path] | None:
    stem = source.name.removesuffix(".jsonl.gz")
    vectors = source.with_name(f"{stem}.all-MiniLM-L6-v2.f16.npy")
    ids = source.with_name(f"{stem}.all-MiniLM-L6-v2.ids.txt")
    return (vectors, ids) if vectors.exists() and ids.exists() else None


def build_demo_home(home: Path, source: Path, count: int) -> None:
    """Papers, indexes and a small community in ``home`` (see the module docstring)."""
    if not source.exists():
        raise SystemExit(f"error: {source} does not exist (pass --source or --home)")
    env = demo_environment(home)
    sample = home / "demo-papers.jsonl"
    home.mkdir(parents=True, exist_ok=True)
    write_sample(source, count, sample)
    paperfeed("init", env=env)
    paperfeed("ingest", str(sample), env=env)
    precomputed = vectors_next_to(source)
    if precomputed:
        vectors, ids = precomputed
        paperfeed("embed", "--import", str(vectors), "--ids", str(ids), env=env)
    else:
        paperfeed("embed", env=env)
    subprocess.run([sys.executable, __file__, "--seed-community", str(home)], env=env, check=True)


def seed_community() -> None:
    """Users, upvotes, a submission, comments: through votes/submissions/comments, as the site
    would make them. Runs in its own process, with Django set up on the demo home."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.db.models import Max

    from paperfeed.community import comments, submissions, votes
    from paperfeed.community.models import Submission
    from paperfeed.papers import lists
    from paperfeed.papers.models import Paper

    rng = random.Random(2025)
    users = []
    for name in USERNAMES:
        user = get_user_model().objects.create_user(name, f"{name}@example.org", DEMO_PASSWORD)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        users.append(user)
    latest = Paper.objects.aggregate(day=Max("feed_day"))["day"]
    today_ids = list(
        Paper.objects.filter(feed_day=latest).order_by("arxiv_id").values_list("pk", flat=True)
    )
    older_ids = list(
        Paper.objects.exclude(feed_day=latest).order_by("arxiv_id").values_list("pk", flat=True)
    )
    # one earlier paper brought to the latest day's feed by a reader
    submitted = rng.choice(older_ids)
    submission = submissions.submit(users[0], f"https://arxiv.org/abs/{submitted}", today=latest)
    noon = dt.datetime.combine(latest, dt.time(12), tzinfo=dt.UTC)
    Submission.objects.filter(pk=submission.pk).update(created=noon)  # on its feed day
    today_ids.append(submitted)
    # popularity that falls off like real feeds: a few papers get most of the votes; the
    # submitted paper among the first few, so the home page shows its "submitted by"
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(today_ids))]
    rng.shuffle(weights)
    third = sorted(weights, reverse=True)[2]
    weights[weights.index(third)], weights[-1] = weights[-1], third
    for user in users:
        for paper_id, weight in zip(today_ids, weights, strict=True):
            if rng.random() < min(0.95, 3.0 * weight):
                votes.set_vote(user, paper_id, True)
        for paper_id in rng.sample(older_ids, 6):
            votes.set_vote(user, paper_id, True)
    top = lists.day_feed(latest, per_page=1).items[0]  # the home page's first paper
    first = comments.add_comment(users[1], top.pk, COMMENTS[0])
    question = comments.add_comment(users[2], top.pk, COMMENTS[1])
    comments.add_comment(users[3], top.pk, COMMENTS[2])
    comments.add_comment(users[4], top.pk, REPLY, parent_id=question.pk)
    comments.add_comment(users[5], submitted, "Glad this one resurfaced.")
    print(
        f"demo community: {len(users)} users, latest day {latest}, most upvoted {top.pk} "
        f"({top.upvotes}), submitted {submitted}, first comment {first.pk}",
        flush=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"error: paperfeed serve exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise SystemExit(f"error: {url} did not answer within {timeout:.0f} s")


PAPER_PAGE = "<first paper of the home page>"


def shots(query: str) -> list[Shot]:
    return [
        Shot("home-desktop", "/", DESKTOP),
        Shot("home-phone", "/", PHONE),
        Shot("home-dark", "/", DESKTOP, dark=True),
        Shot("paper", PAPER_PAGE, DESKTOP, logged_in=True),
        Shot("paper-comments", PAPER_PAGE + "#comments", DESKTOP, logged_in=True),
        Shot("search", "/search?q=" + urllib.request.quote(query), DESKTOP),
        Shot("trending", "/trending", DESKTOP),
        Shot("about", "/about", DESKTOP),
        Shot("signup", "/accounts/signup/", DESKTOP),
        Shot("api-docs", "/api/docs", DESKTOP, wait_for=".swagger-ui .info"),
    ]


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form.account-form button[type=submit]").click()
    page.wait_for_url(base + "/")


def first_paper_path(browser, base: str) -> str:
    """The paper page of the home page's first (most upvoted) paper."""
    page = browser.new_page()
    page.goto(base + "/")
    link = page.locator(".card .title a").first
    if link.count() == 0:
        raise SystemExit("error: the home page shows no papers; is the data home empty?")
    path = link.get_attribute("href")
    page.close()
    return path


def take(base: str, out: Path, plan: list[Shot], login_as: str | None) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        paper_path = first_paper_path(browser, base)
        for shot in plan:
            phone = shot.viewport is PHONE
            context = browser.new_context(
                viewport=shot.viewport,
                device_scale_factor=2 if phone else 1,
                is_mobile=phone,
                has_touch=phone,
                color_scheme="dark" if shot.dark else "light",
            )
            page = context.new_page()
            if shot.logged_in and login_as:
                log_in(page, base, login_as)
            path = shot.path.replace(PAPER_PAGE, paper_path)
            page.goto(base + path, wait_until="networkidle")
            page.locator(shot.wait_for).first.wait_for(state="visible", timeout=15_000)
            target = out / f"{shot.name}.png"
            page.screenshot(path=str(target), full_page=False)
            written.append(target)
            print(
                f"{target.relative_to(REPO) if target.is_relative_to(REPO) else target}: "
                f"{target.stat().st_size / 1024:.0f} KB",
                flush=True,
            )
            context.close()
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, help="Existing PAPERFEED_HOME to serve (SQLite).")
    parser.add_argument(
        "--source",
        type=Path,
        default=DEFAULT_SOURCE,
        help=f"JSON lines file for the demo home (default {DEFAULT_SOURCE}).",
    )
    parser.add_argument(
        "--papers", type=int, default=3000, help="Papers for the demo home (default 3000)."
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "docs" / "screenshots",
        help="Where the PNGs go (default docs/screenshots).",
    )
    parser.add_argument(
        "--query", default="diffusion models", help="Search page query (default: diffusion models)."
    )
    parser.add_argument(
        "--login-as",
        default=None,
        help=f"User shown logged in on the paper page (demo home: grace, password {DEMO_PASSWORD!r}).",
    )
    parser.add_argument("--seed-community", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed_community:
        seed_community()
        return 0
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"error: {CHROMIUM} is absent (apt-get install chromium)")
    login_as = args.login_as
    with tempfile.TemporaryDirectory(prefix="paperfeed-shots-") as scratch:
        home = args.home
        if home is None:
            home = Path(scratch) / "home"
            build_demo_home(home, args.source, args.papers)
            login_as = login_as or "grace"
        elif not home.is_dir():
            raise SystemExit(f"error: --home {home} is not a directory")
        args.out.mkdir(parents=True, exist_ok=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "paperfeed", "serve", "--port", str(port), "--workers", "2"],
            env=demo_environment(home),
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_until_up(base + "/", server)
            take(base, args.out, shots(args.query), login_as)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The mixed workload of ``bench_load.py``: readers, logged-in members who vote, API clients.

Run by ``bench_load.py``; by hand (a server and a plan file from an earlier bench_load run)::

    PAPERFEED_LOAD_PLAN=/tmp/paperfeed-load/load/plan.json \\
        locust -f benchmarks/locustfile.py --headless -u 50 -r 10 --run-time 60s \\
        --host http://127.0.0.1:8000

The plan (JSON, written by ``load_data.build_plan``) lists the papers, feed periods, queries,
member usernames, their password and API tokens. Requests carry ``X-Forwarded-Proto: https``
as the TLS proxy in front of a production server would (docs/deploy.md), so the server's secure
cookies and CSRF origin checks work as they do for real browsers. Each request type has its own
name in the statistics. Every request must answer 200 (redirects are not followed), except the
login POST, which must redirect away from the login pages; anything else, and any connection
error, is a failure.

Weights (user classes 6 : 2 : 2; task weights inside each class) follow how such a site is used:
mostly reading the daily feed and paper pages, searching, some voting, some API traffic.
"""

from __future__ import annotations

import json
import os
import random
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlencode

from locust import FastHttpUser, between, task
from locust.exception import StopUser

_PLAN_PATH = os.environ.get("PAPERFEED_LOAD_PLAN", "")
if not _PLAN_PATH or not os.path.exists(_PLAN_PATH):
    raise SystemExit(
        f"PAPERFEED_LOAD_PLAN must name the plan file bench_load.py writes; got {_PLAN_PATH!r}"
    )
with open(_PLAN_PATH, encoding="utf-8") as _fh:
    PLAN = json.load(_fh)


class BehindTlsProxyPolicy(DefaultCookiePolicy):
    """Send ``Secure`` cookies over the plain-HTTP loopback connection: production mode marks
    the session and CSRF cookies Secure, and in a deployment the browser talks HTTPS to the
    proxy, which forwards plain HTTP to gunicorn. (geventhttpclient's own request type is the
    URL's scheme, so the stock policy would withhold them and every login would fail CSRF.)"""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


PROXY_HEADERS = {"X-Forwarded-Proto": "https", "User-Agent": "paperfeed-load/1"}
WAIT = between(0.3, 1.5)


def hot_paper(rng: random.Random) -> str:
    """A recent paper, more likely the more upvotes it has (what people open from the feed)."""
    return rng.choices(PLAN["hot_papers"], weights=PLAN["hot_weights"])[0]


def some_paper(rng: random.Random) -> str:
    """Paper pages: 70 % recent ones skewed to popular, 30 % any paper (search, links)."""
    return hot_paper(rng) if rng.random() < 0.7 else rng.choice(PLAN["any_papers"])


def query(rng: random.Random, *, plain: bool = False) -> str:
    """Half popular queries (asked again and again), half the long tail (title fragments that
    nobody asked before, so the query embedding is not in the web process's cache)."""
    if rng.random() < 0.5:
        return rng.choice(PLAN["tail_queries"])
    return rng.choice([q for q in PLAN["queries"] if not plain or ":" not in q])


def search_params(rng: random.Random, *, filters: bool = False) -> dict:
    params = {"q": query(rng, plain=filters)}
    if filters:
        kind = rng.choice(["category", "since", "both"])
        if kind in ("category", "both"):
            params["category"] = rng.choice(PLAN["categories"])
        if kind in ("since", "both"):
            params["since"] = rng.choice(PLAN["days"][-10:])
    return params


class Browser(FastHttpUser):
    """Common parts: the proxy headers, GET helpers with one name per request type."""

    abstract = True
    wait_time = WAIT

    def on_start(self) -> None:
        self.rng = random.Random()
        self.client.cookiejar.set_policy(BehindTlsProxyPolicy())
        self.origin = self.host.replace("http://", "https://", 1)

    def send(self, method: str, path: str, name: str, **options) -> None:
        """One request that must answer 200: redirects are not followed, so a redirect to the
        login page (or anywhere) counts as a failure, as does any error status."""
        headers = {**PROXY_HEADERS, **options.pop("headers", {})}
        with self.client.request(
            method,
            path,
            name=name,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
            **options,
        ) as response:
            if response.status_code == 200:
                response.success()
            else:
                where = response.headers.get("Location", "")
                response.failure(f"status {response.status_code} {where}".strip())

    def get(self, path: str, name: str, headers: dict | None = None) -> None:
        self.send("GET", path, name, headers=headers or {})


class Reader(Browser):
    """An anonymous visitor: feeds, paper pages, search."""

    weight = 6

    @task(10)
    def home(self) -> None:
        self.get("/", "page: home /")

    @task(3)
    def day(self) -> None:
        self.get(f"/day/{self.rng.choice(PLAN['days'])}", "page: day /day/[date]")

    @task(2)
    def week(self) -> None:
        self.get(f"/week/{self.rng.choice(PLAN['weeks'])}", "page: week /week/[week]")

    @task(1)
    def month(self) -> None:
        self.get(f"/month/{self.rng.choice(PLAN['months'])}", "page: month /month/[month]")

    @task(3)
    def trending(self) -> None:
        self.get("/trending", "page: trending")

    @task(12)
    def paper(self) -> None:
        self.get(f"/papers/{some_paper(self.rng)}", "page: paper /papers/[id]")

    @task(6)
    def search(self) -> None:
        self.get("/search?" + urlencode(search_params(self.rng)), "search: hybrid")

    @task(2)
    def search_lexical(self) -> None:
        params = {**search_params(self.rng), "mode": "lexical"}
        self.get("/search?" + urlencode(params), "search: keyword")

    @task(1)
    def search_semantic(self) -> None:
        params = {**search_params(self.rng), "mode": "semantic"}
        self.get("/search?" + urlencode(params), "search: semantic")

    @task(2)
    def search_filtered(self) -> None:
        params = search_params(self.rng, filters=True)
        self.get("/search?" + urlencode(params), "search: hybrid + filters")

    @task(1)
    def category(self) -> None:
        self.get(f"/categories/{self.rng.choice(PLAN['categories'])}", "page: category")


class Member(Browser):
    """A logged-in user: reads the feed and papers, upvotes and takes upvotes back."""

    weight = 2

    def on_start(self) -> None:
        super().on_start()
        self.username = self.rng.choice(PLAN["members"])
        self.voted: list[str] = []
        self.get("/accounts/login/", "auth: login form")
        form = {
            "login": self.username,
            "password": PLAN["password"],
            "csrfmiddlewaretoken": self.csrf_token(),
        }
        with self.client.post(
            "/accounts/login/",
            data=urlencode(form),
            name="auth: login",
            headers=self.post_headers("/accounts/login/", form=True),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or "/accounts/" in location:
                body = (response.text or "")[:300].replace("\n", " ")
                response.failure(
                    f"login of {self.username} failed: status {response.status_code}, "
                    f"redirect {location!r}: {body}"
                )
                raise StopUser()
            response.success()

    def csrf_token(self) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value
        raise StopUser()  # no CSRF cookie: the login form did not set one (a failure above)

    def post_headers(self, path: str, *, form: bool = False) -> dict:
        headers = {
            **PROXY_HEADERS,
            "Origin": self.origin,
            "Referer": self.origin + path,
            "X-CSRFToken": self.csrf_token(),
        }
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return headers

    @task(5)
    def home(self) -> None:
        self.get("/", "page: home / (logged in)")

    @task(5)
    def paper(self) -> None:
        self.get(f"/papers/{some_paper(self.rng)}", "page: paper (logged in)")

    @task(2)
    def search(self) -> None:
        self.get("/search?" + urlencode(search_params(self.rng)), "search: hybrid (logged in)")

    def vote(self, paper_id: str, voted: bool) -> None:
        """The vote button: an htmx POST that answers with the re-rendered button."""
        path = f"/papers/{paper_id}/vote"
        headers = {
            **self.post_headers(f"/papers/{paper_id}", form=True),
            "HX-Request": "true",
        }
        self.send(
            "POST",
            path,
            "vote: upvote" if voted else "vote: take back",
            data=urlencode({"voted": "1" if voted else "0", "next": f"/papers/{paper_id}"}),
            headers=headers,
        )

    @task(3)
    def upvote(self) -> None:
        paper_id = hot_paper(self.rng)
        self.vote(paper_id, True)
        self.voted.append(paper_id)

    @task(1)
    def take_back(self) -> None:
        if self.voted:
            self.vote(self.voted.pop(self.rng.randrange(len(self.voted))), False)


class ApiClient(Browser):
    """Scripts and apps on the JSON API: HF-compatible routes and /api/v1, some with a token."""

    weight = 2

    def on_start(self) -> None:
        super().on_start()
        self.token = self.rng.choice(PLAN["api_tokens"])
        self.auth = {"Authorization": f"Bearer {self.token}"}

    @task(4)
    def hf_daily(self) -> None:
        date = self.rng.choice(PLAN["days"])
        self.get(f"/api/daily_papers?date={date}", "api: HF daily_papers?date")

    @task(1)
    def hf_trending(self) -> None:
        self.get("/api/daily_papers?sort=trending", "api: HF daily_papers?sort=trending")

    @task(3)
    def hf_paper(self) -> None:
        self.get(f"/api/papers/{some_paper(self.rng)}", "api: HF papers/[id]")

    @task(2)
    def hf_search(self) -> None:
        self.get(f"/api/papers/search?{urlencode({'q': query(self.rng)})}", "api: HF papers/search")

    @task(2)
    def v1_daily(self) -> None:
        date = self.rng.choice(PLAN["days"])
        self.get(f"/api/v1/feeds/daily?date={date}", "api: v1 feeds/daily", self.auth)

    @task(1)
    def v1_weekly(self) -> None:
        week = self.rng.choice(PLAN["weeks"])
        self.get(f"/api/v1/feeds/weekly?week={week}", "api: v1 feeds/weekly")

    @task(1)
    def v1_monthly(self) -> None:
        month = self.rng.choice(PLAN["months"])
        self.get(f"/api/v1/feeds/monthly?month={month}&page=2", "api: v1 feeds/monthly")

    @task(1)
    def v1_trending(self) -> None:
        self.get("/api/v1/feeds/trending", "api: v1 feeds/trending", self.auth)

    @task(3)
    def v1_search(self) -> None:
        params = search_params(self.rng, filters=self.rng.random() < 0.3)
        self.get("/api/v1/search?" + urlencode(params, doseq=True), "api: v1 search")

    @task(2)
    def v1_paper(self) -> None:
        self.get(f"/api/v1/papers/{some_paper(self.rng)}", "api: v1 papers/[id]")

    @task(1)
    def v1_similar(self) -> None:
        self.get(f"/api/v1/papers/{hot_paper(self.rng)}/similar", "api: v1 papers/[id]/similar")

    @task(1)
    def v1_vote(self) -> None:
        """Upvote then take it back with the token: two idempotent writes."""
        path = f"/api/v1/papers/{hot_paper(self.rng)}/vote"
        self.send("POST", path, "api: v1 vote POST", headers=self.auth)
        self.send("DELETE", path, "api: v1 vote DELETE", headers=self.auth)

"""HTTP load for the web fault tests: logged-in visitors that read pages and upvote papers, and
that record every answer (status, or the transport error) with its start and end time."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.ops.fault_script import PASSWORD


@dataclass
class Answer:
    user: str
    kind: str  # "page" or "vote"
    path: str
    started: float  # time.monotonic()
    ended: float
    status: int | None = None  # None: no HTTP answer (see error)
    error: str = ""  # the transport error when there was no answer
    retry_after: str | None = None
    paper: str = ""  # votes: the paper voted for
    redirect: str = ""  # HX-Redirect: an htmx "go and log in" is a 200 too, but no success

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.redirect


@dataclass(eq=False)  # a Thread must stay hashable
class Visitor(threading.Thread):
    """Logs in, then until ``stop`` is set: a page, an upvote (``voted=1`` through htmx, with the
    CSRF token), a page, ... Each paper of ``papers`` is voted for at most once, in order.

    With ``retry_unanswered`` a vote answered 503 (or not answered) is sent again, as a client
    honouring Retry-After would, once the site answers 200 again: the vote is idempotent."""

    base_url: str
    user: str
    papers: list[str]
    stop: threading.Event
    pause: float = 0.02
    retry_unanswered: bool = False
    answers: list[Answer] = field(default_factory=list)
    failure: BaseException | None = None
    to_retry: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        threading.Thread.__init__(self, name=f"visitor-{self.user}", daemon=True)
        pages = ["/", "/api/v1/feeds/daily", "/trending", "/papers/{paper}"]
        self._pages = itertools.cycle(pages)
        self._next_paper = iter(self.papers)

    # -- the session ------------------------------------------------------------------------
    def login(self, client: httpx.Client) -> None:
        form = client.get("/accounts/login/")
        assert form.status_code == 200, f"{self.user}: login page answered {form.status_code}"
        done = client.post(
            "/accounts/login/",
            data={
                "login": self.user,
                "password": PASSWORD,
                "csrfmiddlewaretoken": client.cookies["csrftoken"],
            },
        )
        assert done.status_code == 302 and "sessionid" in client.cookies, (
            f"{self.user} could not log in: {done.status_code} {done.text[:300]}"
        )

    def run(self) -> None:
        try:
            with httpx.Client(base_url=self.base_url, timeout=20) as client:
                self.login(client)
                while not self.stop.is_set():
                    self.step(client)
                    time.sleep(self.pause)
        except BaseException as exc:  # noqa: BLE001 - reported by the test through .failure
            self.failure = exc

    def step(self, client: httpx.Client) -> None:
        last_ok = not self.answers or self.answers[-1].ok
        if self.retry_unanswered and self.to_retry and last_ok:
            self.vote(client, self.to_retry.pop(0))
            return
        if len(self.answers) % 2:
            paper = next(self._next_paper, None)
            if paper is not None:
                self.vote(client, paper)
                return
        path = next(self._pages).format(paper=self.papers[len(self.answers) % len(self.papers)])
        self.request(client, "page", "GET", path)

    def vote(self, client: httpx.Client, paper: str) -> None:
        answer = self.request(
            client,
            "vote",
            "POST",
            f"/papers/{paper}/vote",
            paper=paper,
            data={"voted": "1"},
            headers={"X-CSRFToken": client.cookies.get("csrftoken", ""), "HX-Request": "true"},
        )
        if self.retry_unanswered and not answer.ok:
            self.to_retry.append(paper)

    def request(self, client: httpx.Client, kind: str, method: str, path: str, *, paper="", **kw):
        started = time.monotonic()
        try:
            response = client.request(method, path, **kw)
        except httpx.TransportError as exc:
            answer = Answer(
                self.user,
                kind,
                path,
                started,
                time.monotonic(),
                paper=paper,
                error=f"{type(exc).__name__}: {exc}",
            )
        else:
            answer = Answer(
                self.user,
                kind,
                path,
                started,
                time.monotonic(),
                response.status_code,
                retry_after=response.headers.get("Retry-After"),
                redirect=response.headers.get("HX-Redirect", ""),
                paper=paper,
            )
        self.answers.append(answer)
        return answer


def start_visitors(base_url: str, users: list[str], papers: list[str], **options) -> list[Visitor]:
    """One visitor per user, each voting for its own order of the papers, started."""
    stop = threading.Event()
    visitors = [
        Visitor(base_url, user, papers[n:] + papers[:n], stop, **options)
        for n, user in enumerate(users)
    ]
    for visitor in visitors:
        visitor.start()
    return visitors


def stop_visitors(visitors: list[Visitor]) -> list[Answer]:
    """Stop and join the visitors; every answer, in start order. Fails when a visitor broke."""
    visitors[0].stop.set()
    for visitor in visitors:
        visitor.join(timeout=60)
        assert not visitor.is_alive(), f"{visitor.name} did not stop"
        if visitor.failure is not None:
            raise AssertionError(f"{visitor.name} failed: {visitor.failure!r}") from visitor.failure
    return sorted((a for v in visitors for a in v.answers), key=lambda a: a.started)


def all_answers(visitors: list[Visitor]) -> list[Answer]:
    """A snapshot of the answers so far (the visitors keep appending)."""
    return [a for v in visitors for a in list(v.answers)]


def vote_accounting(answers: list[Answer], state: dict) -> dict:
    """Compare the votes the visitors sent with the database after the run:

    ``acked`` votes answered 200, ``unsure`` votes without a 200 (never answered, or 503),
    ``stored`` the vote rows, ``duplicates`` (user, paper) stored more than once, ``phantom``
    rows nobody sent, ``lost`` acknowledged votes missing, ``miscounted`` papers whose
    ``upvotes`` differs from their rows."""
    votes = [a for a in answers if a.kind == "vote"]
    acked = {(a.user, a.paper) for a in votes if a.ok}
    sent = {(a.user, a.paper) for a in votes}
    rows = Counter(tuple(row) for row in state["votes"])
    stored = set(rows)
    per_paper = Counter(paper for _, paper in state["votes"])
    return {
        "sent": sent,
        "acked": acked,
        "unsure": sent - acked,
        "stored": stored,
        "duplicates": {key: n for key, n in rows.items() if n > 1},
        "phantom": stored - sent,
        "lost": acked - stored,
        "miscounted": {
            paper: (count, per_paper[paper])
            for paper, count in state["upvotes"].items()
            if count != per_paper[paper]
        },
    }

"""``paperfeed search``: parse the options, call :func:`paperfeed.search.search` (the function the
web and the API call), print the hits as text or JSON."""

from __future__ import annotations

import datetime as dt
import html
import re

import orjson
from django.core.management.base import BaseCommand, CommandError

from paperfeed.papers.models import Paper
from paperfeed.search import MODES, SORTS, IndexMissing, search

_MARK_RE = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)
_TAG_RE = re.compile(r"</?mark>")


def paper_cards(ids: list[str]) -> dict[str, dict]:
    """Title, authors (in order), categories and day of each paper, in one database query."""
    cards: dict[str, dict] = {}
    rows = (
        Paper.objects.filter(arxiv_id__in=ids)
        .values_list(
            "arxiv_id",
            "title",
            "categories",
            "listed",
            "published",
            "authorships__position",
            "authorships__author__name",
        )
        .order_by("arxiv_id", "authorships__position")
    )
    for paper_id, title, categories, listed, published, _position, author in rows:
        card = cards.setdefault(
            paper_id,
            {
                "title": title,
                "authors": [],
                "categories": categories.split(),
                "day": listed or published,
            },
        )
        if author:
            card["authors"].append(author)
    return cards


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date: {value!r} (use YYYY-MM-DD)") from None


def _terminal(snippet: str, colour: bool) -> str:
    """A ``<mark>`` snippet as terminal text: marks in bold yellow, entities unescaped."""
    if colour:
        snippet = _MARK_RE.sub(lambda m: f"\x1b[1;33m{m[1]}\x1b[0m", snippet)
    return html.unescape(_TAG_RE.sub("", snippet))


class Command(BaseCommand):
    help = (
        'Search papers by keywords and meaning. Query syntax: words, "phrases", -excluded, '
        "title:, author:NAME, cat:cs.CL (cat:cs = all cs.*), an arXiv id or URL. Exit status: "
        "0 searched (also when nothing matched), 1 error (no index yet: run `paperfeed index "
        "--rebuild`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("query", help="What to search for (quote it in the shell).")
        parser.add_argument(
            "--mode",
            choices=MODES,
            default="hybrid",
            help="hybrid (keywords + meaning, default), lexical (keywords only) "
            "or semantic (meaning only).",
        )
        parser.add_argument("--limit", type=int, default=10, help="Results to show (default 10).")
        parser.add_argument(
            "--offset", type=int, default=0, help="Results to skip, for paging (default 0)."
        )
        parser.add_argument(
            "--category",
            action="append",
            default=[],
            metavar="C",
            help="Only papers in this category (cs.CL; cs = all cs.*); repeat for any of several.",
        )
        parser.add_argument(
            "--since",
            type=_date,
            metavar="DATE",
            help="Only papers listed on or after this day (YYYY-MM-DD).",
        )
        parser.add_argument(
            "--until",
            type=_date,
            metavar="DATE",
            help="Only papers listed on or before this day (YYYY-MM-DD).",
        )
        parser.add_argument(
            "--author",
            metavar="NAME",
            help="Only papers by an author whose name matches (prefix allowed).",
        )
        parser.add_argument(
            "--sort",
            choices=SORTS,
            default="relevance",
            help="Order: relevance (default), newest or upvotes.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print a JSON array, best first: id, title, score, authors, "
            "categories, day, why, terms, snippets, similarity.",
        )

    def handle(
        self,
        *args,
        query,
        mode,
        limit,
        offset,
        category,
        since,
        until,
        author,
        sort,
        json,
        **options,
    ):
        if limit < 1 or offset < 0:
            raise CommandError("--limit must be at least 1 and --offset at least 0")
        try:
            result = search(
                query,
                mode=mode,
                limit=limit,
                offset=offset,
                categories=category or None,
                since=since,
                until=until,
                author=author,
                sort=sort,
            )
        except IndexMissing as exc:
            raise CommandError(str(exc)) from None
        cards = paper_cards([hit.id for hit in result.hits])
        rows = []
        for hit in result.hits:
            card = cards.get(hit.id, {"title": "", "authors": [], "categories": [], "day": None})
            rows.append(
                {
                    "id": hit.id,
                    "title": card["title"],
                    "score": hit.score,
                    "authors": card["authors"],
                    "categories": card["categories"],
                    "day": card["day"].isoformat() if card["day"] else None,
                    "why": hit.why,
                    "terms": hit.terms,
                    "snippets": hit.snippets,
                    "similarity": hit.similarity,
                }
            )
        if json:
            self.stdout.write(orjson.dumps(rows).decode())
            return
        self._print(rows, result.total, offset, result.mode, estimate=result.count_is_estimate)

    def _print(
        self, rows: list[dict], total: int, offset: int, mode: str, *, estimate: bool = False
    ) -> None:
        if not rows:
            self.stdout.write("no papers found")
            return
        colour = self.stdout.isatty()
        about = "about " if estimate else ""  # hybrid and semantic counts are estimates
        self.stdout.write(f"{offset + 1}-{offset + len(rows)} of {about}{total:,} ({mode})\n")
        for rank, row in enumerate(rows, start=offset + 1):
            authors = ", ".join(row["authors"][:4]) + (" et al." if len(row["authors"]) > 4 else "")
            title = (
                _terminal(row["snippets"]["title"], colour)
                if "title" in row["snippets"]
                else row["title"]
            )
            self.stdout.write(f"{rank:>3}. {row['id']}  {title}")
            self.stdout.write(f"     {row['day'] or '-'}  {' '.join(row['categories'])}  {authors}")
            if row["why"]:
                self.stdout.write(f"     why: {'; '.join(row['why'])}")
            if row["snippets"].get("abstract"):
                self.stdout.write(f"     {_terminal(row['snippets']['abstract'], colour)}")
            self.stdout.write("")

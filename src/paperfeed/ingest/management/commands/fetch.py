"""``paperfeed fetch arxiv``: harvest a set or fetch papers by id, then update the search indexes;
``paperfeed fetch hf|github|s2|pwc``: fetch a source of signals (:mod:`paperfeed.signals`)."""

from __future__ import annotations

import argparse
import datetime as dt

import orjson
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from paperfeed.ingest.harvest import HarvestError, HarvestSummary, fetch_ids, harvest_set
from paperfeed.ingest.models import HarvestCheckpoint
from paperfeed.papers.ids import InvalidArxivId
from paperfeed.papers.models import Paper
from paperfeed.progress import progress_bar
from paperfeed.search import refresh
from paperfeed.signals import fetching
from paperfeed.signals.http import SourceFailed
from paperfeed.signals.models import SourceState

SHOWN_REJECTS = 20
EXIT_FAILED = 1
EXIT_USAGE = 2


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Fetch papers from arXiv, or signals about papers from other services. "
        "arxiv: fetch papers over the network: a whole OAI-PMH set for a date range "
        "(--set cs), or single papers by id from the query API (--id 2501.01234). A set harvest "
        "keeps a checkpoint after every stored page: rerunning the same command after a kill or "
        "a failure resumes where it stopped. Waits PAPERFEED_HARVEST_DELAY seconds between "
        "requests and honours arXiv's Retry-After. Exit status: 0 success (including nothing "
        "new), 1 the fetch failed (network or protocol error; the checkpoint is kept, so a "
        "rerun resumes), 2 usage error. "
        "hf: Hugging Face daily papers of a day (--date), of every day since one (--since) or "
        "of the last 3 days (HF upvotes, list day, AI summary, code, project page, org; papers "
        "not stored yet are added). github: stars, last push, licence of the linked code "
        "repositories (the stalest first). s2: Semantic Scholar TL;DR, citations, venue "
        "(papers due by age: daily in their first week, then weekly, then monthly). pwc: code "
        "repositories and stars from Papers with Code. A rate limit pauses a source until the "
        "time the service named: the run stops (exit 1) and the next run after it resumes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "source",
            choices=["arxiv", *fetching.SOURCES],
            help="Where to fetch from: arxiv (papers), "
            + "; ".join(f"{name} ({what})" for name, what in fetching.SOURCES.items())
            + ".",
        )
        what = parser.add_mutually_exclusive_group()
        what.add_argument(
            "--set",
            dest="set_spec",
            metavar="SET",
            help="OAI-PMH set to harvest, e.g. cs, math, physics:hep-th.",
        )
        what.add_argument(
            "--id",
            dest="ids",
            action="append",
            metavar="ID",
            help="arxiv: an id to fetch from the query API (repeatable; commas allowed), e.g. "
            "2501.01234 or 2501.01234v2. github, s2, pwc: only these stored papers.",
        )
        parser.add_argument(
            "--date",
            type=iso_date,
            metavar="DATE",
            help="hf: the daily list of this day, YYYY-MM-DD (default: the last 3 days, UTC).",
        )
        parser.add_argument(
            "--since",
            type=iso_date,
            metavar="DATE",
            help="hf: every daily list from this day to today (resumes an interrupted run).",
        )
        parser.add_argument(
            "--limit",
            type=int,
            metavar="N",
            help="github, s2, pwc: at most N repositories or papers this run (the rest next run).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Signal sources: run although paused by a rate limit, and refresh what is not "
            "due yet.",
        )
        parser.add_argument(
            "--from",
            dest="from_date",
            type=iso_date,
            metavar="DATE",
            help="First datestamp to harvest, YYYY-MM-DD (default: the last day of the last "
            "completed harvest of the set, harvested again to catch late records; else "
            "yesterday). Only with --set.",
        )
        parser.add_argument(
            "--until",
            dest="until_date",
            type=iso_date,
            metavar="DATE",
            help="Last datestamp to harvest, YYYY-MM-DD (default: today, UTC). Only with --set.",
        )
        parser.add_argument(
            "--restart",
            action="store_true",
            help="Ignore an interrupted harvest of the set and start a new one.",
        )
        parser.add_argument(
            "--base-url",
            metavar="URL",
            help="Endpoint to use instead of PAPERFEED_ARXIV_OAI_URL (--set), "
            "PAPERFEED_ARXIV_API_URL (--id) or the signal source's URL setting.",
        )
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(
        self,
        *args,
        source,
        set_spec,
        ids,
        from_date,
        until_date,
        restart,
        base_url,
        json,
        date=None,
        since=None,
        limit=None,
        force=False,
        **options,
    ):
        if base_url is not None and not base_url.startswith(("http://", "https://")):
            raise CommandError(
                f"--base-url {base_url!r} is not an http(s) URL", returncode=EXIT_USAGE
            )
        if source != "arxiv":
            self._signals(
                source,
                fetching.Options(
                    date=date,
                    since=since,
                    ids=self._id_list(ids) if ids else [],
                    limit=limit,
                    base_url=base_url,
                    force=force,
                ),
                set_spec,
                from_date,
                until_date,
                restart,
                json,
            )
            return
        if date or since or limit is not None or force:
            raise CommandError(
                "--date, --since, --limit and --force go with a signal source, not arxiv",
                returncode=EXIT_USAGE,
            )
        if set_spec is None and not ids:
            raise CommandError("arxiv: give --set SET or --id ID", returncode=EXIT_USAGE)
        if set_spec is not None and not set_spec.strip():
            raise CommandError("--set: empty set name (e.g. cs)", returncode=EXIT_USAGE)
        shown_rejects = 0

        def on_reject(item):
            nonlocal shown_rejects
            shown_rejects += 1
            if shown_rejects <= SHOWN_REJECTS:
                self.stderr.write(f"rejected {item}")

        def notify(message: str) -> None:
            self.stderr.write(message)

        self._check_tables()
        try:
            if set_spec is not None:
                summary = self._harvest(
                    set_spec, from_date, until_date, restart, base_url, json, on_reject, notify
                )
                label = f"arxiv set {set_spec}"
                if summary.from_date:
                    label += f" {summary.from_date}..{summary.until_date}"
            else:
                if from_date or until_date or restart:
                    raise CommandError(
                        "--from, --until and --restart go with --set, not --id",
                        returncode=EXIT_USAGE,
                    )
                id_list = self._id_list(ids)
                if not id_list:
                    raise CommandError("--id: no arXiv id given", returncode=EXIT_USAGE)
                with progress_bar(
                    "arxiv ids", total=len(id_list), unit="records", disable=json
                ) as advance:
                    summary = fetch_ids(
                        id_list, base_url, on_records=advance, on_reject=on_reject, notify=notify
                    )
                label = f"arxiv {len(id_list)} id(s)"
        except InvalidArxivId as exc:
            raise CommandError(f"--id: {exc}", returncode=EXIT_USAGE) from None
        except HarvestError as exc:
            raise CommandError(
                f"fetch failed: {exc}"
                + (
                    "\nthe checkpoint is kept: run the same command again to resume"
                    if set_spec
                    else ""
                ),
                returncode=EXIT_FAILED,
            ) from None
        if shown_rejects > SHOWN_REJECTS:
            self.stderr.write(f"... and {shown_rejects - SHOWN_REJECTS} more rejected records")
        self._report(label, summary, json)
        self._update_indexes(summary)

    @staticmethod
    def _id_list(ids: list[str]) -> list[str]:
        return [part.strip() for text in ids for part in text.split(",") if part.strip()]

    def _signals(self, source, options, set_spec, from_date, until_date, restart, json) -> None:
        if set_spec or from_date or until_date or restart:
            raise CommandError(
                f"--set, --from, --until and --restart go with arxiv, not {source}",
                returncode=EXIT_USAGE,
            )
        if options.date and options.since:
            raise CommandError("give --date or --since, not both", returncode=EXIT_USAGE)
        if (options.date or options.since) and source != "hf":
            raise CommandError(
                f"--date and --since go with hf, not {source}", returncode=EXIT_USAGE
            )
        if options.limit is not None and options.limit < 1:
            raise CommandError(
                f"--limit must be at least 1, not {options.limit}", returncode=EXIT_USAGE
            )
        self._check_tables()
        try:
            report = fetching.run(
                source,
                options,
                notify=self.stderr.write,
                progress=lambda *a, **k: progress_bar(*a, disable=json, **k),
            )
        except (SourceFailed, ValueError) as exc:
            raise CommandError(
                f"fetch {source} failed: {exc}\nwhat was stored is kept: run it again to resume",
                returncode=EXIT_FAILED if isinstance(exc, SourceFailed) else EXIT_USAGE,
            ) from None
        if json:
            self.stdout.write(orjson.dumps(report.as_dict()).decode())
        else:
            counts = ", ".join(f"{value:,} {key}" for key, value in report.counts.items())
            self.stdout.write(
                f"{source}: {counts or 'nothing to do'}; {report.requests:,} requests"
            )
            for notice in report.notices:
                self.stdout.write(notice)
        if report.counts.get("papers_added"):
            self._update_indexes_after(True)

    def _update_indexes_after(self, stored: bool) -> None:
        try:
            update = refresh.papers_changed(progress=True, stored=stored)
        except Exception as exc:
            raise CommandError(
                f"the papers are stored, but syncing the search indexes failed: {exc}",
                returncode=EXIT_FAILED,
            ) from exc
        if update.busy:  # another process is syncing: it catches up
            self.stderr.write(f"search indexes not synced now: {update.busy}")

    @staticmethod
    def _check_tables() -> None:
        tables = set(connection.introspection.table_names())
        missing = {
            Paper._meta.db_table,
            HarvestCheckpoint._meta.db_table,
            SourceState._meta.db_table,
        } - tables
        if missing:
            raise CommandError(
                f"the database lacks {', '.join(sorted(missing))}: run `paperfeed init` first",
                returncode=EXIT_USAGE,
            )

    def _harvest(
        self, set_spec, from_date, until_date, restart, base_url, json, on_reject, notify
    ) -> HarvestSummary:
        until = until_date or dt.datetime.now(dt.UTC).date()
        if from_date and from_date > until:
            raise CommandError(
                f"--from {from_date} is after --until {until}" + ("" if until_date else " (today)"),
                returncode=EXIT_USAGE,
            )
        with progress_bar(f"arxiv {set_spec}", unit="records", disable=json) as advance:
            return harvest_set(
                set_spec,
                from_date=from_date,
                until_date=until_date,
                restart=restart,
                base_url=base_url,
                on_records=advance,
                on_reject=on_reject,
                notify=notify,
            )

    def _report(self, label: str, summary: HarvestSummary, json: bool) -> None:
        if json:
            self.stdout.write(
                orjson.dumps(
                    {"source": label, **summary.as_dict(), "notices": summary.notices}
                ).decode()
            )
            return
        counts = summary.as_dict()
        stored = ", ".join(
            f"{counts[k]:,} {k}" for k in ("new", "updated", "unchanged", "rejected", "deleted")
        )
        wire = ", ".join(f"{counts[k]:,} {k}" for k in ("pages", "requests", "retries"))
        self.stdout.write(f"{label}: {stored}; {wire}")
        if summary.missing_ids:
            self.stdout.write("not returned by arXiv: " + ", ".join(summary.missing_ids))
        if counts["new"] == counts["updated"] == counts["deleted"] == 0:
            self.stdout.write("nothing new")

    def _update_indexes(self, summary: HarvestSummary) -> None:
        self._update_indexes_after(summary.new + summary.updated + summary.deleted > 0)

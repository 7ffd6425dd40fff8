"""``paperfeed``: one command line for everything, over Django management commands.

``paperfeed COMMAND ...`` runs the management command of that name from one of paperfeed's apps;
``paperfeed manage ...`` reaches every Django command (createsuperuser, shell, dbshell, ...).
"""

from __future__ import annotations

import os
import re
import sys

import django
from django.core.management import ManagementUtility, get_commands, load_command_class
from django.db.utils import OperationalError, ProgrammingError

from paperfeed import __version__, config
from paperfeed.config import ConfigError
from paperfeed.ops import multiproc

USAGE = """usage: paperfeed COMMAND [options]    (paperfeed COMMAND --help for its options)

A self-hostable research-paper platform: arXiv feeds, hybrid search, digests.

commands:
{commands}

settings come from the environment (PAPERFEED_HOME, DATABASE_URL, ...): paperfeed settings
"""


def _paperfeed_commands() -> dict[str, str]:
    """Command name -> the app that provides it, for paperfeed's own apps."""
    return {
        name: app for name, app in sorted(get_commands().items()) if app.startswith("paperfeed.")
    }


def _summaries() -> dict[str, str]:
    return {
        name: _first_sentence(load_command_class(app, name).help or "")
        for name, app in _paperfeed_commands().items()
    }


def _first_sentence(text: str, width: int = 96) -> str:
    """The help text's first sentence ("e.g." and "i.e." do not end one), cut to ``width``."""
    sentence = re.split(r"(?<!e\.g)(?<!i\.e)\.\s", " ".join(text.split()), maxsplit=1)[0]
    sentence = sentence.rstrip(".")
    return sentence if len(sentence) <= width else sentence[: width - 1].rsplit(" ", 1)[0] + "…"


def _multiprocess_metrics() -> bool:
    """Multiprocess metrics wanted, and still possible: prometheus_client picks its storage when
    first imported (a caller that set Django up before calling :func:`main` keeps per-process
    counters rather than writing files no scrape of its own would read)."""
    return (
        config.get_bool("PAPERFEED_METRICS_MULTIPROCESS")
        and multiproc.ENV not in os.environ
        and "prometheus_client" not in sys.modules
    )


def _missing_schema(exc: Exception) -> bool:
    """An error from a database that was never initialised or not migrated to this version."""
    return bool(re.search(r"no such (table|column)|(relation|column) \S+ does not exist", str(exc)))


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    try:
        if argv and argv[0] in multiproc.COMMANDS and _multiprocess_metrics():
            multiproc.enable(config.home())  # before anything imports prometheus_client
        django.setup()
    except ConfigError as exc:
        sys.stderr.write(f"paperfeed: {exc}\n")
        sys.exit(2)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        commands = {
            **_summaries(),
            "manage": "any Django management command (createsuperuser, shell, ...)",
        }
        width = max(map(len, commands)) + 2
        lines = "\n".join(f"  {name:<{width}}{text}" for name, text in commands.items())
        sys.stdout.write(USAGE.format(commands=lines))
        sys.exit(0 if argv else 2)
    if argv[0] in {"--version", "version"}:
        sys.stdout.write(f"paperfeed {__version__}\n")
        return
    if argv[0] == "manage":
        ManagementUtility(["paperfeed manage", *argv[1:]]).execute()
        return
    if argv[0] not in _paperfeed_commands():
        sys.stderr.write(f"paperfeed: unknown command {argv[0]!r}; see paperfeed --help\n")
        sys.exit(2)
    try:
        ManagementUtility(["paperfeed", *argv]).execute()
    except (OperationalError, ProgrammingError) as exc:
        if not _missing_schema(exc):
            raise
        sys.stderr.write(
            f"paperfeed: the database lacks paperfeed's tables or columns ({exc}).\n"
            "Run `paperfeed init` first: it creates them and applies pending migrations.\n"
        )
        sys.exit(2)
    except BrokenPipeError:  # `paperfeed stats | head`: the reader left, nothing is wrong
        # recipe from the Python docs (signal module, "Note on SIGPIPE")
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


if __name__ == "__main__":
    main()

"""docs/architecture.md tells the truth: the checkable claims it makes are checked here.

- every ``paperfeed/...`` path it names exists, and every app (package under src/paperfeed) and
  top-level module is named in it;
- the writers of the paper table it lists are exactly the modules whose code writes ``Paper``
  rows (found by reading the source: ``Paper.objects...update/create/bulk_*``, ``Paper(...)``);
- every setting name it mentions is declared in :mod:`paperfeed.config`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from paperfeed import config

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
PACKAGE = SRC / "paperfeed"
DOC = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")

_PATH = re.compile(r"`(paperfeed/[\w/{},.*-]+?)`")
_WRITES = (
    "update",
    "delete",
    "bulk_create",
    "bulk_update",
    "create",
    "get_or_create",
    "update_or_create",
)


def _expand(path: str) -> list[str]:
    """``paperfeed/ingest/{atom,oai}.py`` -> both paths (the doc's brace shorthand)."""
    match = re.search(r"\{([^}]*)\}", path)
    if not match:
        return [path]
    return [
        expanded
        for part in match[1].split(",")
        for expanded in _expand(path[: match.start()] + part + path[match.end() :])
    ]


def test_every_path_the_doc_names_exists():
    named = [p for raw in _PATH.findall(DOC) for p in _expand(raw)]
    assert len(named) > 20, "the doc names the modules it describes"
    missing = [p for p in named if not (SRC / p.rstrip("/")).exists()]
    assert not missing, f"docs/architecture.md names paths that do not exist: {missing}"


def test_every_app_and_top_level_module_is_in_the_doc():
    named = {p for raw in _PATH.findall(DOC) for p in _expand(raw)}
    text = " ".join(sorted(named))
    wanted = [
        f"paperfeed/{child.name}" + ("/" if child.is_dir() else "")
        for child in sorted(PACKAGE.iterdir())
        if (child.is_dir() and (child / "__init__.py").exists())
        or (child.suffix == ".py" and child.name not in {"__init__.py", "__main__.py", "wsgi.py"})
    ]
    absent = [w for w in wanted if w.rstrip("/") not in text]
    assert not absent, f"docs/architecture.md does not say what these own: {absent}"


def _raw_write(call: ast.Call) -> bool:
    """A hand-written bulk write on the paper table: ``_insert_many(Paper, ...)`` or
    ``"UPDATE {} ...".format(quote(Paper._meta.db_table), ...)``."""
    name = ast.unparse(call.func)
    first = ast.unparse(call.args[0]) if call.args else ""
    if first == "Paper" and ("insert" in name or "update" in name):
        return True
    template = call.func.value if isinstance(call.func, ast.Attribute) else None
    return (
        isinstance(template, ast.Constant)
        and isinstance(template.value, str)
        and template.value.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
        and "Paper._meta.db_table" in ast.unparse(call)
    )


def _paper_admin_writes(node: ast.AST) -> bool:
    """An admin class registered for ``Paper`` whose actions ``update`` the selected rows."""
    return (
        isinstance(node, ast.ClassDef)
        and any(ast.unparse(d) == "admin.register(Paper)" for d in node.decorator_list)
        and any(
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in _WRITES
            for call in ast.walk(node)
        )
    )


def _paper_writers() -> set[str]:
    """Modules (``paperfeed/x/y.py``) whose code writes rows of the ``Paper`` model."""
    writers = set()
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts or "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(_paper_admin_writes(node) for node in ast.walk(tree)):
            writers.add(path)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id == "Paper":
                writers.add(path)  # Paper(...): a row being built to be saved
            elif isinstance(func, ast.Attribute) and func.attr in _WRITES:
                if ast.unparse(func.value).startswith("Paper.objects"):
                    writers.add(path)
            elif _raw_write(node):
                writers.add(path)
    return {str(p.relative_to(SRC)) for p in writers}


def _documented_writers() -> set[str]:
    """The modules the doc's "Writers of the paper table" paragraph lists."""
    match = re.search(r"Writers of the paper table[^\n]*\n((?:[-*] .*\n)+)", DOC)
    assert match, "docs/architecture.md has a 'Writers of the paper table' list"
    return {p for line in match[1].splitlines() for p in _PATH.findall(line)}


def test_the_doc_lists_exactly_the_modules_that_write_papers():
    assert _paper_writers() == _documented_writers()


def test_every_setting_the_doc_mentions_is_declared():
    declared = {s.name for s in config.SETTINGS}
    mentioned = set(re.findall(r"\b(PAPERFEED_[A-Z0-9_]+|DATABASE_URL|REDIS_URL|EMAIL_URL)\b", DOC))
    assert mentioned, "the doc names the settings it relies on"
    assert mentioned <= declared, f"not declared in paperfeed.config: {mentioned - declared}"

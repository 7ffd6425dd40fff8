"""docs/rankings.md tells the truth: its vocabularies are the registry's, and its worked example
is the code: the diff it shows is in the tree and touches at most 3 files."""

from __future__ import annotations

import re
from pathlib import Path

from paperfeed import rankings

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "rankings.md").read_text(encoding="utf-8")


def _example_diff() -> dict[str, list[str]]:
    """The added lines of each file in the doc's ```diff block."""
    block = re.search(r"```diff\n(.*?)\n```", DOC, re.S)
    assert block, "docs/rankings.md shows the example commit's diff"
    added: dict[str, list[str]] = {}
    path = None
    for line in block[1].splitlines():
        if line.startswith("+++ b/"):
            path = line[len("+++ b/") :]
            added[path] = []
        elif line.startswith("+") and path:
            added[path].append(line[1:])
    return added


def test_the_example_touches_at_most_three_files_and_is_in_the_tree():
    added = _example_diff()
    assert 1 <= len(added) <= 3
    assert re.search(rf"{len(added)} files? changed", DOC)
    for path, lines in added.items():
        source = (REPO / path).read_text(encoding="utf-8")
        assert "\n".join(lines) in source, f"the doc's diff of {path} is not what the tree holds"


def test_the_example_ranking_is_registered_where_the_doc_says():
    assert "discussed" in rankings.offered("pages")
    assert "discussed" in rankings.offered("api") and "discussed" in rankings.offered("feeds")


def test_the_doc_names_every_input_surface_and_builtin_ranking():
    for name in [*rankings.INPUTS, *rankings.SURFACES]:
        assert f"| `{name}` |" in DOC, f"docs/rankings.md does not explain {name!r}"
    for ranking in rankings.all_rankings():
        assert ranking.label in DOC, f"docs/rankings.md does not mention {ranking.label!r}"

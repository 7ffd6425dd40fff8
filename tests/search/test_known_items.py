"""Known-item evaluation: the reader's errors, the metrics by hand, and a run through search()."""

import json

import pytest
from django.core.management import CommandError, call_command

from paperfeed.search.hits import Hit, SearchResult
from paperfeed.search.known_items import (
    KnownItem,
    KnownItemError,
    hit_at_k,
    load_known_items,
    run_known_items,
    score,
    table,
)
from tests.search.test_hybrid import indexed  # noqa: F401  (fixture)


def write(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def test_load_reads_queries_and_normalises_targets(tmp_path):
    path = write(
        tmp_path / "k.jsonl",
        [
            {"query": "kv cache", "target": "arXiv:2503.00001v2", "kind": "keywords"},
            "",
            {"query": "x", "target": "2503.00002"},
        ],
    )
    assert load_known_items(path) == [
        KnownItem("kv cache", "2503.00001", "keywords"),
        KnownItem("x", "2503.00002", "other"),
    ]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "k.jsonl:2: not JSON"),
        ('{"query": "", "target": "2503.00001"}', "k.jsonl:2: query must be a non-empty string"),
        ('{"query": "a", "target": "nope"}', "k.jsonl:2: target 'nope' is not an arXiv id"),
        ('["a", "b"]', "k.jsonl:2: expected an object"),
        ('{"query": "a", "target": "2503.00001", "kind": 3}', "k.jsonl:2: kind must be"),
    ],
)
def test_load_names_the_bad_line(tmp_path, line, problem):
    path = write(tmp_path / "k.jsonl", [{"query": "ok", "target": "2503.00001"}, line])
    with pytest.raises(KnownItemError, match=problem):
        load_known_items(path)


def test_load_refuses_a_missing_or_empty_file(tmp_path):
    with pytest.raises(KnownItemError, match="no such file"):
        load_known_items(tmp_path / "absent.jsonl")
    with pytest.raises(KnownItemError, match="no queries"):
        load_known_items(write(tmp_path / "e.jsonl", [""]))


def test_score_by_hand():
    items = [KnownItem("a", "t1", "x"), KnownItem("b", "t2", "x"), KnownItem("c", "t3", "y")]
    rankings = [["t1"], ["o"] * 3 + ["t2"], ["o"] * 10 + ["t3"]]
    metrics = score(items, rankings)
    assert metrics["x"] == {"MRR@10": pytest.approx((1 + 1 / 4) / 2), "hit@10": 1.0, "queries": 2}
    assert metrics["y"] == {"MRR@10": 0.0, "hit@10": 0.0, "queries": 1}
    assert metrics["all"]["hit@10"] == pytest.approx(2 / 3)
    assert hit_at_k(["a"] * 9 + ["t"], "t") == 1.0
    assert hit_at_k(["a"] * 10 + ["t"], "t") == 0.0


def test_run_calls_search_per_mode_and_records_ranks():
    calls = []

    def fake(query, *, mode, limit):
        calls.append((query, mode, limit))
        order = ["t1", "t2"] if mode == "lexical" else ["t2", "t1"]
        return SearchResult([Hit(i, 1.0) for i in order], 2, mode)

    items = [KnownItem("q1", "t1", "k"), KnownItem("q2", "t2", "k")]
    run = run_known_items(items, modes=("lexical", "hybrid"), search=fake)
    assert run.ranks == {"lexical": [1, 2], "hybrid": [2, 1]}
    assert run.metrics["lexical"]["k"]["MRR@10"] == pytest.approx(0.75)
    assert calls[0] == ("q1", "lexical", 10)
    assert table(run)[0].split()[:2] == ["kind", "n"]


@pytest.mark.django_db
def test_command_runs_the_apps_search(indexed, tmp_path, capsys):  # noqa: F811
    path = write(
        tmp_path / "k.jsonl",
        [
            {"query": "protein folding transformers", "target": "2503.00002", "kind": "title"},
            {"query": "legged robots policies", "target": "2503.00005", "kind": "keywords"},
        ],
    )
    call_command("eval", "known-items", str(path), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["queries"] == 2
    assert out["ranks"]["lexical"] == [1, 1]
    assert set(out["metrics"]) == {"lexical", "semantic", "hybrid"}
    assert out["metrics"]["hybrid"]["all"]["hit@10"] == 1.0
    call_command("eval", "known-items", str(path), "--mode", "lexical")
    text = capsys.readouterr().out
    assert "title" in text and "lexical MRR" in text


def test_command_names_a_bad_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("eval", "known-items", str(tmp_path / "absent.jsonl"))

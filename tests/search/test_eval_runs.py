"""Evaluation runs: TREC run files (round trip, errors), exclude-self, per-query output, and the
``paperfeed eval`` flags that write them."""

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperfeed.search.encoders import HashingEncoder
from paperfeed.search.evaluate import METRICS, run_beir
from paperfeed.search.hybrid import FusionConfig
from paperfeed.search.runs import (
    RunFileError,
    per_query,
    read_run,
    run_lines,
    without_self,
    write_run,
)
from tests.conftest import run_cli
from tests.search.test_eval_command import write_beir

TOKEN = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")),
    min_size=1,
    max_size=12,
).filter(lambda s: not any(c.isspace() for c in s))
SCORE = st.floats(allow_nan=False, allow_infinity=False)
RANKINGS = st.dictionaries(
    TOKEN,
    st.lists(st.tuples(TOKEN, SCORE), max_size=8),
    max_size=6,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RANKINGS, TOKEN)
def test_a_run_file_reads_back_as_written(rankings, tag):
    out = io.StringIO()
    lines = write_run(out, rankings, tag)
    assert lines == sum(len(r) for r in rankings.values())
    back = read_run(io.StringIO(out.getvalue()), "run")
    assert set(back) == {q for q, r in rankings.items() if r}
    for query, ranking in rankings.items():
        if not ranking:
            continue
        got = back[query]
        assert [(line.doc, line.score) for line in got] == [(d, float(s)) for d, s in ranking]
        assert [line.rank for line in got] == list(range(1, len(ranking) + 1))
        assert {line.tag for line in got} == {tag}


def test_run_file_lines_are_the_trec_format():
    lines = list(run_lines({"q1": [("d7", 2.5), ("d3", 1.0)]}, "paperfeed-hybrid"))
    assert lines == ["q1 Q0 d7 1 2.5 paperfeed-hybrid", "q1 Q0 d3 2 1.0 paperfeed-hybrid"]


def test_ids_a_run_file_cannot_hold_are_refused_by_name():
    with pytest.raises(RunFileError, match=r"query 'q 1': the query id 'q 1'"):
        list(run_lines({"q 1": [("d", 1.0)]}, "t"))
    with pytest.raises(RunFileError, match=r"document id ''"):
        list(run_lines({"q1": [("", 1.0)]}, "t"))
    with pytest.raises(RunFileError, match=r"score nan is not finite"):
        list(run_lines({"q1": [("d", float("nan"))]}, "t"))


def test_bad_run_file_lines_name_the_line():
    def read(text):
        return read_run(io.StringIO(text), "x.run")

    with pytest.raises(RunFileError, match=r"x\.run:2: expected 6 fields"):
        read("q Q0 d 1 1.0 t\nq Q0 d 2 1.0\n")
    with pytest.raises(RunFileError, match=r"x\.run:1: rank 'one' is not an integer"):
        read("q Q0 d one 1.0 t\n")
    with pytest.raises(RunFileError, match=r"x\.run:1: rank 0 is below 1"):
        read("q Q0 d 0 1.0 t\n")
    with pytest.raises(RunFileError, match=r"x\.run:1: score 'high' is not a number"):
        read("q Q0 d 1 high t\n")
    with pytest.raises(RunFileError, match=r"x\.run:1: score 'inf' is not finite"):
        read("q Q0 d 1 inf t\n")


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(TOKEN, st.lists(st.tuples(TOKEN, SCORE), max_size=10))
def test_without_self_drops_exactly_the_query_document(query, ranking):
    kept = without_self(query, ranking)
    assert all(doc != query for doc, _ in kept)
    assert kept == [(d, s) for d, s in ranking if d != query]


def test_per_query_rows_hold_each_mode_metrics():
    rows = per_query(
        {"lexical": {"q1": ["a", "b"]}, "semantic": {"q1": ["b", "a"], "q2": ["c"]}},
        {"q1": {"b": 1}, "q2": {"c": 1}},
        METRICS,
    )
    assert [r["query"] for r in rows] == ["q1", "q2"]
    assert rows[0]["lexical"]["MRR@10"] == 0.5 and rows[0]["semantic"]["MRR@10"] == 1.0
    assert rows[1]["lexical"]["MRR@10"] == 0.0  # no ranking: scored as empty
    assert rows[1]["semantic"]["nDCG@10"] == 1.0


# Query by example: each query is a document's own text, judged against its "siblings".
DOCS = [
    ("a1", "Sparse attention", "Sparse attention patterns make long context transformers cheap."),
    ("a2", "Long context", "Transformers with sparse attention handle long context cheaply."),
    ("b1", "Protein folding", "Predicting protein structure from amino acid sequences."),
    ("b2", "Protein structure", "Amino acid sequences determine protein folding structure."),
    ("c1", "Graph colouring", "Greedy graph colouring bounds for planar graphs."),
]


@pytest.fixture
def by_example(tmp_path):
    corpus = [{"_id": i, "title": t, "text": x} for i, t, x in DOCS]
    queries = [{"_id": i, "text": f"{t}. {x}"} for i, t, x in DOCS[:4]]
    qrels = [("a1", "a2", 1), ("a2", "a1", 1), ("b1", "b2", 1), ("b2", "b1", 1)]
    return write_beir(tmp_path / "qbe", corpus, queries, qrels)


def test_exclude_self_removes_the_self_hit_from_every_mode(by_example):
    config = FusionConfig(method="convex", weight=0.5, depth=10)
    with_self = run_beir(by_example, HashingEncoder(256), fusion=config)
    for mode, ranked in with_self.rankings.items():
        assert all(ranked[q][0] == q for q in ranked), mode  # its own text finds itself first
    run = run_beir(by_example, HashingEncoder(256), fusion=config, exclude_self=True)
    for mode in ("lexical", "semantic", "hybrid"):
        for query, ranked in run.rankings[mode].items():
            assert query not in ranked, (mode, query)
            assert query not in {doc for doc, _ in run.scored[mode][query]}
            assert ranked == [doc for doc, _ in run.scored[mode][query]]
        assert run.metrics[mode]["MRR@10"] > with_self.metrics[mode]["MRR@10"]


def test_eval_command_writes_run_files_and_per_query_lines(by_example, tmp_path):
    runs_prefix = tmp_path / "out" / "qbe"
    per_query_file = tmp_path / "out" / "per-query.jsonl"
    out = run_cli(
        "eval",
        "beir",
        str(by_example),
        "--model",
        "hashing:256",
        "--exclude-self",
        "--per-query",
        str(per_query_file),
        "--run-file",
        str(runs_prefix),
        "--json",
        home=tmp_path / "home",
    )
    assert out.returncode == 0, out.stderr.decode()
    rows = [json.loads(line) for line in per_query_file.read_text().splitlines()]
    assert [r["query"] for r in rows] == ["a1", "a2", "b1", "b2"]
    assert set(rows[0]) == {"query", "lexical", "semantic", "hybrid"}
    report = json.loads(out.stdout)
    for mode in ("lexical", "semantic", "hybrid"):
        with (tmp_path / "out" / f"qbe.{mode}.run").open() as fh:
            run = read_run(fh, mode)
        assert set(run) == {"a1", "a2", "b1", "b2"}
        for query, lines in run.items():
            assert query not in {line.doc for line in lines}
            assert {line.tag for line in lines} == {f"paperfeed-{mode}"}
        mean = sum(r[mode]["MRR@10"] for r in rows) / len(rows)
        assert mean == pytest.approx(report["metrics"][mode]["MRR@10"])

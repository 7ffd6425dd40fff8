"""BEIR evaluation: metric functions on hand-computed cases, the reader, and a tiny end-to-end run."""

import json
import math

import pytest

from paperfeed.search.encoders import HashingEncoder
from paperfeed.search.evaluate import (
    BeirError,
    corpus_vectors,
    dcg_at_k,
    load_beir,
    mean_metrics,
    mrr_at_k,
    ndcg_at_k,
    recall_at_k,
    run_beir,
)
from paperfeed.search.hybrid import FusionConfig
from tests.conftest import run_cli


def test_dcg_and_ndcg_by_hand():
    assert dcg_at_k([1, 0, 1], 3) == pytest.approx(1 + 1 / math.log2(4))
    # relevant b, c at ranks 2 and 3: (1/log2 3 + 1/log2 4) / (1 + 1/log2 3)
    assert ndcg_at_k(["a", "b", "c"], {"b": 1, "c": 1}) == pytest.approx(0.693426, abs=1e-6)
    # graded: a=2, b=1 ranked b, a: (1 + 2/log2 3) / (2 + 1/log2 3)
    assert ndcg_at_k(["b", "a"], {"a": 2, "b": 1}) == pytest.approx(0.859719, abs=1e-6)
    assert ndcg_at_k(["a", "b"], {"a": 1}) == 1.0
    assert ndcg_at_k(["x"] * 10 + ["a"], {"a": 1}, k=10) == 0.0
    assert ndcg_at_k(["a"], {}) == 0.0


def test_mrr_and_recall_by_hand():
    assert mrr_at_k(["x", "y", "b"], {"b": 1}) == pytest.approx(1 / 3)
    assert mrr_at_k(["x", "b"], {"b": 1}, k=1) == 0.0
    assert mrr_at_k(["b"], {"b": 0}) == 0.0  # grade 0 is not relevant
    assert recall_at_k(["a", "x", "b"], {"a": 1, "b": 1, "c": 1}, k=2) == pytest.approx(1 / 3)
    assert recall_at_k(["a", "x", "b"], {"a": 1, "b": 1, "c": 1}, k=3) == pytest.approx(2 / 3)
    assert recall_at_k([], {}) == 0.0


def test_mean_metrics_average_judged_queries():
    metrics = mean_metrics({"q1": ["a"], "q2": ["x", "b"]}, {"q1": {"a": 1}, "q2": {"b": 1}})
    assert metrics["MRR@10"] == pytest.approx(0.75)
    assert metrics["R@100"] == 1.0


def write_beir(root, corpus, queries, qrels):
    (root / "qrels").mkdir(parents=True)
    (root / "corpus.jsonl").write_text("".join(json.dumps(d) + "\n" for d in corpus))
    (root / "queries.jsonl").write_text("".join(json.dumps(q) + "\n" for q in queries))
    lines = ["query-id\tcorpus-id\tscore"] + [f"{q}\t{d}\t{s}" for q, d, s in qrels]
    (root / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n")
    return root


CORPUS = [
    {
        "_id": "d1",
        "title": "Aspirin and heart attacks",
        "text": "Aspirin lowers the risk of myocardial infarction in adults.",
    },
    {"_id": "d2", "title": "Vitamin D", "text": "Vitamin D supplements do not prevent fractures."},
    {"_id": "d3", "title": "Exercise", "text": "Regular exercise improves sleep quality."},
    {"_id": "d4", "title": "Coffee", "text": "Coffee drinking and liver disease in cohorts."},
]
QUERIES = [
    {"_id": "1", "text": "aspirin reduces heart attack risk"},
    {"_id": "2", "text": "vitamin D prevents fractures"},
    {"_id": "3", "text": "exercise helps sleep"},
    {"_id": "9", "text": "a query without judgements"},
]
QRELS = [("1", "d1", 1), ("2", "d2", 1), ("3", "d3", 1)]


@pytest.fixture
def tiny_beir(tmp_path):
    return write_beir(tmp_path / "tiny", CORPUS, QUERIES, QRELS)


def test_load_beir_keeps_judged_queries(tiny_beir):
    data = load_beir(tiny_beir)
    assert data.ids == ["d1", "d2", "d3", "d4"] and data.titles[1] == "Vitamin D"
    assert set(data.queries) == {"1", "2", "3"} and data.qrels["2"] == {"d2": 1.0}


def test_load_beir_errors_name_file_and_line(tmp_path):
    with pytest.raises(BeirError, match=r"corpus\.jsonl: missing"):
        load_beir(tmp_path)
    root = write_beir(tmp_path / "bad", CORPUS, QUERIES, QRELS)
    (root / "queries.jsonl").write_text('{"_id": "1", "text": "ok"}\nnot json\n')
    with pytest.raises(BeirError, match=r"queries\.jsonl:2: not JSON"):
        load_beir(root)
    (root / "queries.jsonl").write_text('{"_id": "1", "text": "ok"}\n')
    (root / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n1\td1\n")
    with pytest.raises(BeirError, match=r"test\.tsv:2: expected 3 tab-separated columns"):
        load_beir(root)


def test_run_beir_scores_every_mode(tiny_beir, tmp_path):
    encoder = HashingEncoder(256)
    run = run_beir(
        tiny_beir,
        encoder,
        cache=tmp_path / "cache",
        fusion=FusionConfig(method="convex", weight=0.5, depth=10),
    )
    assert (run.queries, run.documents) == (3, 4)
    for mode in ("lexical", "semantic", "hybrid"):
        assert run.rankings[mode]["1"][0] == "d1"
        assert run.metrics[mode]["nDCG@10"] == pytest.approx(1.0)
    cached = list((tmp_path / "cache").glob("hashing_256.*.npy"))
    assert len(cached) == 1
    again = corpus_vectors(encoder, load_beir(tiny_beir), tmp_path / "cache")
    assert again.shape == (4, 256)
    lexical_only = run_beir(tiny_beir, None, modes=["lexical"], limit_queries=1)
    assert list(lexical_only.metrics) == ["lexical"] and lexical_only.queries == 1


def test_eval_command_on_a_tiny_folder(tiny_beir, tmp_path):
    out = run_cli(
        "eval", "beir", str(tiny_beir), "--model", "hashing:256", "--json", home=tmp_path / "home"
    )
    assert out.returncode == 0, out.stderr.decode()
    report = json.loads(out.stdout)
    assert report["queries"] == 3 and set(report["metrics"]) == {"lexical", "semantic", "hybrid"}
    assert report["metrics"]["hybrid"]["nDCG@10"] == pytest.approx(1.0)
    bad = run_cli(
        "eval", "beir", str(tmp_path / "nowhere"), "--model", "hashing:8", home=tmp_path / "home"
    )
    assert bad.returncode == 1 and b"corpus.jsonl: missing" in bad.stderr

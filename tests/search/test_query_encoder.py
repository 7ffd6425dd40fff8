"""The web's torch-free query encoder (ONNX Runtime + tokenizers) and the batch side's export.

The ONNX export runs once per test session (about 15 s on 2 cores, more when loaded), under a
file lock shared by xdist workers; every test links its home's model directory to that export.
"""

import fcntl
import json
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import numpy as np
import pytest

from paperfeed.search import hybrid, query_encoder, query_model
from paperfeed.search.encoders import DEFAULT_MODEL, load_encoder, paper_text
from paperfeed.search.onnx_runtime import cache_dir
from paperfeed.search.query_encoder import (
    MANIFEST_FILE,
    OnnxQueryEncoder,
    QueryModelMissing,
    files_problem,
    load_query_encoder,
)
from tests.conftest import cli_env, run_cli

TEXTS = [
    "",
    "kv cache",
    "speculative decoding for large language models",
    "Ünïcode, 数学 and émojis 🚀: μ-transfer of hyper-parameters",
    "title:attention -quantization (graph OR molecule)",
    paper_text(
        "Attention Is All You Need",
        "The dominant sequence transduction models are based on complex recurrent or "
        "convolutional neural networks that include an encoder and a decoder.",
    ),
    # past 256 tokens: both sides must cut at the same place (the shipped tokenizer.json's own
    # settings cut at 128 and pad; sentence-transformers cuts at 256)
    " ".join(
        f"Sentence {i} about diffusion models, data augmentation and robustness." for i in range(60)
    ),
]


@pytest.fixture(scope="session")
def exported(tmp_path_factory) -> Path:
    """The default model exported and checked once per session (all xdist workers share it)."""
    base = tmp_path_factory.getbasetemp()  # under xdist a worker's; its parent is the run's
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "query-model"
    root.mkdir(parents=True, exist_ok=True)
    directory = root / "all-MiniLM-L6-v2"
    with (root / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if files_problem(DEFAULT_MODEL, directory) is not None:
            query_model.export(DEFAULT_MODEL, directory)
    return directory


@pytest.fixture
def model_home(data_home, exported, settings):
    """A home whose models directory holds the session's export (linked), real model set."""
    settings.PAPERFEED_EMBEDDING_MODEL = DEFAULT_MODEL
    target = cache_dir(DEFAULT_MODEL)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(exported, target_is_directory=True)
    query_encoder.forget()
    hybrid._embed_cached.cache_clear()
    yield data_home
    query_encoder.forget()
    hybrid._embed_cached.cache_clear()


@pytest.mark.slow
def test_onnx_query_vectors_match_sentence_transformers(exported):
    reference = load_encoder(DEFAULT_MODEL, device="cpu", fast=False).model.encode(
        TEXTS, convert_to_numpy=True, normalize_embeddings=True
    )
    manifest = query_encoder.Manifest.read(exported)
    encoder = OnnxQueryEncoder(DEFAULT_MODEL, exported, dim=manifest.dim)
    one_by_one = np.stack([encoder.encode([t], batch_size=1)[0] for t in TEXTS])
    batched = encoder.encode(TEXTS, batch_size=4)  # padded batches pool the same
    for vectors in (one_by_one, batched):
        cosines = np.sum(reference * vectors, axis=1)
        assert cosines.min() >= 0.999, cosines
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert manifest.min_cosine >= 0.999 and manifest.max_tokens == 256


def test_a_missing_or_mismatched_query_model_is_refused_with_the_command_to_run(
    data_home, tmp_path
):
    with pytest.raises(QueryModelMissing, match=r"no query model .*run `paperfeed embed`"):
        load_query_encoder(DEFAULT_MODEL)
    directory = tmp_path / "m"
    directory.mkdir()
    (directory / "model.onnx").write_bytes(b"x" * 10)
    (directory / "tokenizer.json").write_text("{}")
    query_encoder.Manifest(DEFAULT_MODEL, 11, 2, 0.9999, 384).write(directory)
    assert "do not match their manifest" in files_problem(DEFAULT_MODEL, directory)
    query_encoder.Manifest(DEFAULT_MODEL, 10, 2, 0.9999, 384).write(directory)
    assert files_problem(DEFAULT_MODEL, directory) is None
    assert "do not match" in files_problem("another-model", directory)
    (directory / MANIFEST_FILE).write_text("not json")
    assert "no query model" in files_problem(DEFAULT_MODEL, directory)


def test_hashing_models_need_no_files(data_home):
    assert load_query_encoder("hashing:16").encode(["a b"]).shape == (1, 16)
    assert query_model.ensure("hashing:16") is None


TOPICS = ["graph neural networks", "speculative decoding", "protein folding", "robot arms"]


def corpus(directory: Path, n: int = 12) -> tuple[Path, Path, Path]:
    """``n`` papers (JSON lines) and their vectors of the default model, made by the ONNX encoder
    (the session's export): paths of the papers, the vectors and their ids."""
    rows = [
        {
            "id": f"2503.{i:05d}",
            "title": f"A study of {TOPICS[i % 4]} number {i}",
            "abstract": f"We study {TOPICS[i % 4]} with method {i}.",
            "authors": ["A Person"],
            "categories": ["cs.LG"],
            "listed": "2025-03-18",
        }
        for i in range(1, n + 1)
    ]
    papers, vectors, ids = directory / "papers.jsonl", directory / "v.npy", directory / "ids.txt"
    papers.write_text("".join(json.dumps(r) + "\n" for r in rows))
    texts = [paper_text(r["title"], r["abstract"]) for r in rows]
    np.save(vectors, load_query_encoder(DEFAULT_MODEL).encode(texts))
    ids.write_text("".join(r["id"] + "\n" for r in rows))
    return papers, vectors, ids


def store_papers(directory: Path) -> None:
    """The corpus in the test database, with both indexes built."""
    from paperfeed.ingest.files import ingest_file
    from paperfeed.search import embedding_job
    from paperfeed.search.sync import sync_indexes

    papers, vectors, ids = corpus(directory)
    ingest_file(papers)
    embedding_job.import_vectors(vectors, ids, model=DEFAULT_MODEL)
    sync_indexes(progress=False)


@pytest.mark.django_db(transaction=True)
def test_without_a_query_model_search_is_lexical_says_why_and_never_loads_torch(
    model_home, monkeypatch, client
):
    from paperfeed.ops import doctor
    from paperfeed.search import encoders

    store_papers(model_home)
    assert hybrid.search("speculative decoding").mode == "hybrid"
    (cache_dir(DEFAULT_MODEL)).unlink()  # the link to the export: no query model now
    query_encoder.forget()
    hybrid._embed_cached.cache_clear()

    def no_torch(*args, **kwargs):
        raise AssertionError("a search loaded the PyTorch model")

    monkeypatch.setattr(encoders.TransformerEncoder, "__init__", no_torch)
    result = hybrid.search("speculative decoding", mode="hybrid")
    assert result.mode == "lexical" and result.hits
    assert result.note == hybrid.SEMANTIC_OFF and "paperfeed embed" in result.note
    api = client.get("/api/v1/search", {"q": "speculative decoding"}, HTTP_HOST="localhost")
    assert api.status_code == 200, api.content
    assert api.json()["mode"] == "lexical" and api.json()["note"] == hybrid.SEMANTIC_OFF
    (check,) = doctor.check_query_model()
    assert check.status == doctor.WARN and "run `paperfeed embed`" in check.message


WORKER = textwrap.dedent(
    """
    import json, os, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"
    from paperfeed.web.serve_app import application  # what `paperfeed serve` preloads
    from paperfeed.web import warmup
    from paperfeed.search import cross_encoder
    from django.test import Client

    warmup.warm_worker()
    client = Client(HTTP_HOST="localhost")
    page = client.get("/search", {"q": "speculative decoding", "mode": "hybrid"})
    api = client.get("/api/v1/search", {"q": "protein folding", "mode": "hybrid"})
    heavy = ("torch", "sentence_transformers", "transformers")
    print(json.dumps({
        "page": page.status_code,
        "lexical_note": b"lexical search:" in page.content,
        "api": api.status_code,
        "mode": api.json().get("mode"),
        "items": len(api.json().get("items", [])),
        "heavy": sorted(m for m in sys.modules if m.split(".")[0] in heavy),
        "reranker": type(cross_encoder.load(os.environ["PAPERFEED_RERANK_MODEL"])).__name__,
    }))
    """
)


@pytest.mark.slow
def test_a_web_worker_serves_hybrid_search_without_importing_torch(model_home, tmp_path):
    """The query encoder and a configured cross-encoder run on ONNX Runtime: the batch
    commands exported both, and serving searches imports neither torch nor transformers."""
    from tests.search.test_cross_encoder import build_tiny_cross_encoder

    papers, vectors, ids = corpus(tmp_path)
    reranker = tmp_path / "reranker"
    reranker.mkdir()
    build_tiny_cross_encoder(reranker, ["speculative", "decoding", "protein", "folding"])
    env = {
        "PAPERFEED_EMBEDDING_MODEL": DEFAULT_MODEL,
        "PAPERFEED_ALLOWED_HOSTS": "localhost",
        "PAPERFEED_RERANK_MODEL": str(reranker),
    }
    for args in (
        ("init",),
        ("ingest", "--no-index", str(papers)),
        ("embed", "--no-sync", "--import", str(vectors), "--ids", str(ids)),
        ("index",),
    ):
        done = run_cli(*args, home=model_home, env=env)
        assert done.returncode == 0, (args, done.stderr.decode()[-2000:])
    assert b"query model for the web" in done.stdout  # `index` checked the export: up to date
    assert b"re-ranking model for the web" in done.stdout  # and exported the cross-encoder
    out = subprocess.run(
        [sys.executable, "-c", WORKER],
        capture_output=True,
        env=cli_env(model_home, **env),
        timeout=120,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr.decode()[-3000:]
    seen = json.loads(out.stdout.decode().strip().splitlines()[-1])
    assert seen["items"] > 0
    assert seen == {
        "page": 200,
        "lexical_note": False,
        "api": 200,
        "mode": "hybrid",
        "items": seen["items"],
        "heavy": [],
        "reranker": "OnnxCrossEncoder",
    }


def test_each_worker_warms_up_before_its_first_request(monkeypatch):
    from paperfeed.web import server, warmup

    calls = []
    monkeypatch.setattr(warmup, "warm_worker", lambda: calls.append("warm"))
    worker = object.__new__(server.BufferingThreadWorker)
    worker.app = types.SimpleNamespace(wsgi=lambda: calls.append("app") or "wsgi")
    worker.cfg = types.SimpleNamespace(reload=False)
    worker.load_wsgi()
    assert calls == ["app", "warm"] and worker.wsgi == "wsgi"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_warm_up_opens_the_indexes_and_the_encoder_so_the_first_search_loads_nothing(
    model_home, monkeypatch
):
    from paperfeed.search import lexical, vector_index
    from paperfeed.web import warmup

    store_papers(model_home)
    query_encoder.forget()
    monkeypatch.setattr(warmup, "_preloaded", False)
    vector_index._CACHE.clear()
    lexical._open.clear()
    steps = warmup.warm_worker()
    assert {"query model", "templates", "urls", "search"} <= set(steps)
    assert DEFAULT_MODEL in query_encoder._LOADED
    assert vector_index._CACHE and lexical._open

    def loads(*args, **kwargs):
        raise AssertionError("the first search after warm-up opened a file")

    monkeypatch.setattr(query_encoder, "OnnxQueryEncoder", loads)
    monkeypatch.setattr(vector_index.VectorIndex, "open", loads)
    monkeypatch.setattr(lexical.LexicalIndex, "open", loads)
    assert hybrid.search("graph neural networks").mode == "hybrid"


def test_the_served_app_preloads_the_query_encoder_templates_and_urls(monkeypatch, settings):
    import importlib

    from paperfeed.web import warmup

    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:16"
    monkeypatch.setattr(warmup, "_preloaded", False)
    import paperfeed.web.serve_app as serve_app

    importlib.reload(serve_app)
    assert warmup._preloaded
    assert warmup.compile_templates() >= 50  # every page's template, in the cached loader
    assert "web/search.html" in warmup.template_names()

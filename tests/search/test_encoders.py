"""Stored embeddings: computing what is missing, model changes, import/export of vector files."""

import gzip
import io
import json
from itertools import islice

import numpy as np
import pytest

from paperfeed.ingest.jsonl import parse as parse_jsonl
from paperfeed.ingest.upsert import ingest
from paperfeed.papers.models import Paper
from paperfeed.search import embedding_job, onnx_runtime
from paperfeed.search.encoders import (
    EncoderError,
    HashingEncoder,
    TransformerEncoder,
    load_encoder,
    paper_text,
    resolve_device,
    text_hash,
)
from paperfeed.search.models import Embedding
from paperfeed.search.vector_index import similar, sync_vectors
from tests.conftest import shared_file

MODEL = "hashing:32"


def store(*objs: dict):
    data = "".join(json.dumps(o) + "\n" for o in objs).encode()
    return ingest(parse_jsonl(io.BytesIO(data), "test.jsonl"))


def paper(i: int, **kw) -> dict:
    obj = {
        "id": f"2503.{i:05d}",
        "title": f"Paper {i} on topic{i % 3}",
        "abstract": f"We study  problem {i}\n with methods.",
        "authors": ["A Person"],
        "categories": ["cs.CL"],
        "listed": "2025-03-18",
    }
    obj.update(kw)
    return obj


@pytest.fixture
def hashing_model(settings):
    settings.PAPERFEED_EMBEDDING_MODEL = MODEL
    return load_encoder()


def snapshot() -> list[tuple]:
    return list(Embedding.objects.order_by("id").values_list("id", "paper_id", "model", "vector"))


# ----------------------------------------------------------------------------- encoders


def test_paper_text_collapses_white_space_like_the_shared_vectors():
    assert paper_text(" A\n title ", "An  abstract\n\nin two  paragraphs.") == (
        "A title. An abstract in two paragraphs."
    )
    assert text_hash("a") != text_hash("b") and len(text_hash("a")) == 64


def test_hashing_encoder_is_deterministic_normalised_and_bag_of_words():
    encoder = HashingEncoder(64)
    vectors = encoder.encode(
        ["graph neural networks", "Networks, graph NEURAL!", "protein folding"]
    )
    assert vectors.shape == (3, 64) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert vectors[0] @ vectors[1] == pytest.approx(1.0)
    assert vectors[0] @ vectors[2] < 0.9
    assert np.array_equal(encoder.encode(["graph neural networks"])[0], vectors[0])
    seen = []
    HashingEncoder(8).encode(["a"] * 5, batch_size=2, progress=seen.append)
    assert sum(seen) == 5


def test_load_encoder_rejects_bad_hashing_names():
    with pytest.raises(Exception, match="hashing:DIM"):
        load_encoder("hashing:lots")


# ----------------------------------------------------------------------------- embedding


@pytest.mark.django_db
def test_embed_missing_stores_float16_vectors_once(hashing_model):
    store(*(paper(i) for i in range(1, 6)))
    summary = embedding_job.embed_missing(hashing_model, batch_size=2)
    assert summary.embedded == 5
    row = Embedding.objects.get(paper_id="2503.00003")
    assert (row.model, row.dim, len(row.vector)) == (MODEL, 32, 64)
    expected = hashing_model.encode(
        [paper_text("Paper 3 on topic0", "We study problem 3 with methods.")]
    )
    assert np.allclose(row.as_array(), expected[0], atol=1e-3)
    assert row.text_hash == text_hash("Paper 3 on topic0. We study problem 3 with methods.")
    assert embedding_job.pending(MODEL) == []
    assert embedding_job.embed_missing(hashing_model).embedded == 0


@pytest.mark.django_db
def test_edited_abstract_is_reembedded_under_a_new_key(hashing_model):
    store(paper(1, version=1), paper(2))
    embedding_job.embed_missing(hashing_model)
    old_key = Embedding.objects.get(paper_id="2503.00001").id
    store(paper(1, abstract="A completely different abstract.", version=2))
    assert [pid for pid, _ in embedding_job.pending(MODEL)] == ["2503.00001"]
    summary = embedding_job.embed_missing(hashing_model)
    assert (summary.embedded, summary.replaced) == (1, 1)
    new = Embedding.objects.get(paper_id="2503.00001")
    assert new.id != old_key and Embedding.objects.count() == 2


@pytest.mark.django_db
def test_limit_and_deleted_papers(hashing_model):
    store(*(paper(i) for i in range(1, 6)))
    Paper.objects.filter(arxiv_id="2503.00005").update(deleted=True)
    assert len(embedding_job.pending(MODEL)) == 4
    assert embedding_job.embed_missing(hashing_model, limit=3).embedded == 3
    assert len(embedding_job.pending(MODEL)) == 1


@pytest.mark.django_db
def test_a_model_change_is_refused_until_reembed(settings, hashing_model):
    store(paper(1), paper(2))
    embedding_job.embed_missing(hashing_model)
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:16"
    other = load_encoder()
    before = snapshot()
    with pytest.raises(embedding_job.ModelMismatch, match=r"2 by 'hashing:32'.*--reembed"):
        embedding_job.embed_missing(other)
    assert snapshot() == before
    assert embedding_job.model_counts() == {MODEL: 2}
    summary = embedding_job.embed_missing(other, reembed=True)
    assert (summary.embedded, summary.replaced) == (2, 2)
    assert embedding_job.model_counts() == {"hashing:16": 2}


# ----------------------------------------------------------------------------- files


@pytest.fixture
def embedded(hashing_model, tmp_path):
    store(*(paper(i) for i in range(1, 5)))
    embedding_job.embed_missing(hashing_model)
    return tmp_path


@pytest.mark.django_db
def test_export_import_round_trip(embedded):
    vectors, ids = embedded / "v.npy", embedded / "ids.txt"
    assert embedding_job.export_vectors(vectors, ids) == 4
    array = np.load(vectors)
    assert array.shape == (4, 32) and array.dtype == np.float16
    assert ids.read_text().split() == [f"2503.{i:05d}" for i in range(1, 5)]
    stored = {
        pid: Embedding.objects.get(paper_id=pid).as_array() for pid in ids.read_text().split()
    }
    Embedding.objects.all().delete()
    summary = embedding_job.import_vectors(vectors, ids)
    assert (summary.embedded, summary.skipped_unknown) == (4, 0)
    for pid, vector in stored.items():
        assert np.allclose(Embedding.objects.get(paper_id=pid).as_array(), vector, atol=1e-3)
    assert embedding_job.pending(MODEL) == []  # text hashes were set from the stored papers


@pytest.mark.django_db
def test_import_skips_and_reports_unknown_ids(embedded):
    vectors, ids = embedded / "v.npy", embedded / "ids.txt"
    np.save(vectors, np.ones((3, 32), dtype=np.float32))
    ids.write_text("2503.00001\n9999.99999\n2503.00002\n")
    summary = embedding_job.import_vectors(vectors, ids)
    assert (summary.embedded, summary.skipped_unknown) == (2, 1)
    assert summary.unknown_examples == ["9999.99999"]
    imported = Embedding.objects.get(paper_id="2503.00001").as_array()
    assert np.allclose(imported, np.full(32, 1 / np.sqrt(32)), atol=1e-3)  # L2-normalised


BAD_INPUTS = [
    ("1-d", lambda: np.ones(32, dtype=np.float32), "a\n", r"v\.npy: expected a 2-d array"),
    (
        "dims",
        lambda: np.ones((1, 31), dtype=np.float32),
        "2503.00001\n",
        r"v\.npy: vectors have 31 dimensions, model 'hashing:32' makes 32",
    ),
    (
        "rows",
        lambda: np.ones((2, 32), dtype=np.float32),
        "2503.00001\n",
        r"v\.npy has 2 rows but .*ids\.txt has 1 ids",
    ),
    ("dtype", lambda: np.ones((1, 32), dtype=np.int32), "2503.00001\n", r"expected float16/32/64"),
    (
        "nan",
        lambda: np.full((1, 32), np.nan, dtype=np.float32),
        "2503.00001\n",
        r"row 0 \(id '2503.00001'\) is zero or not finite",
    ),
    (
        "duplicate",
        lambda: np.ones((2, 32), dtype=np.float32),
        "2503.00001\n2503.00001\n",
        r"ids\.txt: id '2503.00001' appears twice \(lines 1 and 2\)",
    ),
    ("blank", lambda: np.ones((2, 32), dtype=np.float32), "2503.00001\n\n", r"line 2 is empty"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "make_array", "ids_text", "message"), BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS]
)
def test_bad_files_give_clear_errors_and_change_nothing(
    embedded, case, make_array, ids_text, message
):
    vectors, ids = embedded / "v.npy", embedded / "ids.txt"
    np.save(vectors, make_array())
    ids.write_text(ids_text)
    before = snapshot()
    with pytest.raises(embedding_job.EmbeddingError, match=message):
        embedding_job.import_vectors(vectors, ids)
    assert snapshot() == before


@pytest.mark.django_db
def test_unreadable_files_and_foreign_models(embedded):
    ids = embedded / "ids.txt"
    ids.write_text("2503.00001\n")
    not_npy = embedded / "v.npy"
    not_npy.write_text("hello")
    with pytest.raises(embedding_job.EmbeddingError, match=r"v\.npy: not a NumPy \.npy"):
        embedding_job.import_vectors(not_npy, ids)
    with pytest.raises(embedding_job.EmbeddingError, match="missing.npy: no such vectors file"):
        embedding_job.import_vectors(embedded / "missing.npy", ids)
    np.save(not_npy, np.ones((1, 32), dtype=np.float32))
    with pytest.raises(embedding_job.EmbeddingError, match="would be stale at once"):
        embedding_job.import_vectors(not_npy, ids, model="all-MiniLM-L6-v2")


@pytest.mark.django_db
def test_export_without_vectors_is_an_error(hashing_model, tmp_path):
    with pytest.raises(embedding_job.EmbeddingError, match="no stored vectors"):
        embedding_job.export_vectors(tmp_path / "v.npy", tmp_path / "ids.txt")


# ----------------------------------------------------------------------------- real data


@pytest.mark.slow
@pytest.mark.django_db
def test_import_shared_vectors_for_the_first_2000_papers(settings, data_home):
    settings.PAPERFEED_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
    corpus = shared_file("data", "arxiv-cs-2025-2026.jsonl.gz")
    vectors = shared_file("data", "arxiv-cs-2025-2026.all-MiniLM-L6-v2.f16.npy")
    ids = shared_file("data", "arxiv-cs-2025-2026.all-MiniLM-L6-v2.ids.txt")
    with gzip.open(corpus, "rb") as fh:
        ingest(parse_jsonl(io.BytesIO(b"".join(islice(fh, 2000))), corpus.name))
    known = Paper.objects.count()
    assert known == 2000
    summary = embedding_job.import_vectors(vectors, ids)
    assert summary.embedded == known
    assert summary.skipped_unknown == 74_728 - known
    all_ids = ids.read_text().split()
    row = all_ids.index("2503.11731") if "2503.11731" in all_ids else 0
    pid = all_ids[row]
    shared = np.load(vectors, mmap_mode="r")[row].astype(np.float32)
    if Paper.objects.filter(arxiv_id=pid).exists():
        assert np.allclose(Embedding.objects.get(paper_id=pid).as_array(), shared, atol=2e-3)
    assert embedding_job.pending("all-MiniLM-L6-v2") == []  # same text as the shared vectors

    assert sync_vectors()["total"] == known
    some = Paper.objects.order_by("arxiv_id").first().arxiv_id
    neighbours = similar(some, 5)
    assert len(neighbours) == 5 and some not in {h.id for h in neighbours}
    assert all(0 < h.similarity <= 1 for h in neighbours)


@pytest.mark.slow
def test_default_model_loads_offline_and_knows_paraphrases():
    encoder = load_encoder("all-MiniLM-L6-v2", device="cpu")
    assert encoder.dim == 384
    a, b, c = encoder.encode(
        [
            "A neural network that predicts the 3D structure of proteins.",
            "Deep learning model for protein folding prediction.",
            "Tax policy and inflation in emerging economies.",
        ]
    )
    assert a @ b > a @ c + 0.3
    corpus = shared_file("data", "arxiv-cs-2025-2026.jsonl.gz")
    vectors = shared_file("data", "arxiv-cs-2025-2026.all-MiniLM-L6-v2.f16.npy")
    with gzip.open(corpus, "rt") as fh:
        rows = [json.loads(line) for line in islice(fh, 8)]
    ours = encoder.encode([paper_text(r["title"], r["abstract"]) for r in rows])
    theirs = np.load(vectors, mmap_mode="r")[:8].astype(np.float32)  # rows follow the file
    assert np.min(np.sum(ours * theirs, axis=1)) >= 0.99


def test_onnx_exports_that_drift_are_refused(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    assert onnx_runtime.cache_dir("sentence-transformers/all MiniLM") == (
        tmp_path / "models" / "sentence-transformers_all_MiniLM"
    )
    same = np.eye(2, dtype=np.float32)
    onnx_runtime.check_drift(same, same, tmp_path / "m.onnx")
    drifted = np.array([[1, 0], [0.199, 0.98]], dtype=np.float32)
    with pytest.raises(onnx_runtime.OnnxUnavailable, match=r"m\.onnx: vectors drift .*0\.98"):
        onnx_runtime.check_drift(same, drifted, tmp_path / "m.onnx")


def test_unknown_backend_and_device_are_errors():
    with pytest.raises(EncoderError, match="device must be cpu, cuda or auto"):
        resolve_device("tpu")
    with pytest.raises(EncoderError, match="backend must be one of"):
        TransformerEncoder(backend="tensorrt")

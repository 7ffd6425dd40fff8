"""The optional cross-encoder re-ranking: off by default, loaded from a path only, exported to
ONNX by the batch side (search/rerank_model.py) and run by web processes without torch; when on,
the best results come in the model's own order (a tiny randomly initialised model built here)."""

from pathlib import Path

import numpy as np
import pytest

from paperfeed.ops import doctor
from paperfeed.search import cross_encoder, hybrid, rerank_model
from paperfeed.search.encoders import paper_text
from tests.search.test_hybrid import PAPERS, ids, indexed  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
QUERY = "message passing molecules"


def build_tiny_cross_encoder(path: Path, words) -> Path:
    """A 1-layer BERT cross-encoder with random weights (large enough that scores differ) and a
    word-level vocabulary of ``words``, saved to ``path``: nothing is downloaded."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *sorted(set(words))]
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tokenizer = transformers.BertTokenizer(str(path / "vocab.txt"))
    torch.manual_seed(16)
    config = transformers.BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=128,
        num_labels=1,
        initializer_range=0.5,
    )
    transformers.BertForSequenceClassification(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    words = {w.lower().strip(".,") for p in PAPERS for w in (p[1] + " " + p[2]).split()}
    return build_tiny_cross_encoder(tmp_path_factory.mktemp("cross-encoder"), words)


@pytest.fixture
def exported(tiny_model, settings, data_home):
    cross_encoder.load.cache_clear()
    report = rerank_model.ensure(str(tiny_model))
    yield report
    cross_encoder.load.cache_clear()


def reference_scores(path: Path, pairs) -> np.ndarray:
    """sentence-transformers' own scores (PyTorch), what the export must reproduce."""
    from sentence_transformers import CrossEncoder

    return CrossEncoder(str(path), device="cpu", local_files_only=True).predict(pairs)


def test_off_by_default(indexed, settings):  # noqa: F811
    assert settings.PAPERFEED_RERANK_MODEL == ""
    assert ids(hybrid.search("molecules graphs")) == ids(hybrid.search("molecules graphs"))
    assert rerank_model.ensure() is None
    assert doctor.check_rerank_model()[0].status == doctor.OK


def test_the_export_scores_as_the_cross_encoder_does(tiny_model, exported):
    assert exported.exported and exported.max_difference <= rerank_model.MAX_DIFFERENCE
    model = cross_encoder.load(str(tiny_model))
    assert isinstance(model, cross_encoder.OnnxCrossEncoder)
    pairs = [*rerank_model.PROBES, (QUERY, paper_text(PAPERS[0][1], PAPERS[0][2]))]
    expected = reference_scores(tiny_model, pairs)
    assert np.ptp(expected) > 0.01  # the probes tell the pairs apart: the check has teeth
    np.testing.assert_allclose(model.predict(pairs, batch_size=3), expected, atol=1e-5)
    again = rerank_model.ensure(str(tiny_model))
    assert not again.exported and again.directory == exported.directory  # only stat calls


def test_reranks_the_best_results_in_the_models_order(indexed, settings, tiny_model, exported):  # noqa: F811
    fused = hybrid.search(QUERY, limit=10)
    settings.PAPERFEED_RERANK_MODEL = str(tiny_model)
    settings.PAPERFEED_RERANK_DEPTH = 50
    reranked = hybrid.search(QUERY, limit=10)
    assert set(ids(reranked)) == set(ids(fused))
    texts = {p[0]: paper_text(p[1], p[2]) for p in PAPERS}
    scores = reference_scores(tiny_model, [(QUERY, texts[i]) for i in ids(fused)])
    expected = [i for _, i in sorted(zip(-scores, ids(fused), strict=True), key=lambda t: t[0])]
    assert ids(reranked) == expected != ids(fused)
    settings.PAPERFEED_RERANK_DEPTH = 1  # only the first is "re-ranked": the fused order stays
    assert ids(hybrid.search(QUERY, limit=10)) == ids(fused)


def test_without_an_export_the_fused_order_stays_and_the_fix_is_named(
    indexed,  # noqa: F811
    settings,
    tiny_model,
    caplog,
):
    cross_encoder.load.cache_clear()
    fused = ids(hybrid.search(QUERY))
    settings.PAPERFEED_RERANK_MODEL = str(tiny_model)
    assert ids(hybrid.search(QUERY)) == fused
    assert "no ONNX export" in caplog.text and "paperfeed index" in caplog.text
    (check,) = doctor.check_rerank_model()
    assert check.status == doctor.WARN and "paperfeed index" in check.message


def test_a_changed_model_is_exported_again(tiny_model, exported, tmp_path):
    path = str(tiny_model)
    assert cross_encoder.files_problem(path) is None
    config = tiny_model / "config.json"
    config.write_text(config.read_text() + "\n")  # new bytes: the fingerprint no longer matches
    assert "changed since it was exported" in cross_encoder.files_problem(path)
    with pytest.raises(cross_encoder.RerankError, match="changed since"):
        cross_encoder.load.cache_clear() or cross_encoder.load(path)
    assert rerank_model.ensure(path).exported
    assert cross_encoder.files_problem(path) is None


def test_a_bad_path_keeps_the_fused_order(indexed, settings, tmp_path, caplog):  # noqa: F811
    fused = ids(hybrid.search("molecules graphs"))
    settings.PAPERFEED_RERANK_MODEL = str(tmp_path / "absent")
    assert ids(hybrid.search("molecules graphs")) == fused
    assert "no such directory" in caplog.text
    with pytest.raises(cross_encoder.RerankError, match="absent"):
        cross_encoder.load(str(tmp_path / "absent"))
    with pytest.raises(cross_encoder.RerankError, match="no such directory"):
        rerank_model.ensure(str(tmp_path / "absent"))


def test_a_model_with_several_scores_is_refused(tmp_path):
    transformers = pytest.importorskip("transformers")
    path = build_tiny_cross_encoder(tmp_path, ["graph", "molecules"])
    config = transformers.BertConfig.from_pretrained(path)
    config.num_labels = 3
    transformers.BertForSequenceClassification(config).save_pretrained(path)
    with pytest.raises(cross_encoder.RerankError, match="gives 3 scores per pair"):
        rerank_model.ensure(str(path))

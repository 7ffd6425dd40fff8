"""The optional cross-encoder re-ranking: off by default, loaded from a path only, and when on
the best results come in the model's order (a tiny randomly initialised model built here)."""

import pytest

from paperfeed.search import cross_encoder, hybrid
from paperfeed.search.encoders import paper_text
from tests.search.test_hybrid import PAPERS, ids, indexed  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A 1-layer BERT cross-encoder with random weights and a word-level vocabulary, saved to a
    directory: nothing is downloaded."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    path = tmp_path_factory.mktemp("cross-encoder")
    words = sorted({w.lower().strip(".,") for p in PAPERS for w in (p[1] + " " + p[2]).split()})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]
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
    )
    transformers.BertForSequenceClassification(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def test_off_by_default(indexed, settings):  # noqa: F811
    assert settings.PAPERFEED_RERANK_MODEL == ""
    assert ids(hybrid.search("molecules graphs")) == ids(hybrid.search("molecules graphs"))


def test_reranks_the_best_results_in_the_models_order(indexed, settings, tiny_model):  # noqa: F811
    fused = hybrid.search("message passing molecules", limit=10)
    settings.PAPERFEED_RERANK_MODEL = str(tiny_model)
    settings.PAPERFEED_RERANK_DEPTH = 50
    reranked = hybrid.search("message passing molecules", limit=10)
    assert set(ids(reranked)) == set(ids(fused))
    model = cross_encoder.load(str(tiny_model))
    texts = {p[0]: paper_text(p[1], p[2]) for p in PAPERS}
    scores = model.predict([("message passing molecules", texts[i]) for i in ids(fused)])
    expected = [i for _, i in sorted(zip(-scores, ids(fused), strict=True), key=lambda t: t[0])]
    assert ids(reranked) == expected
    settings.PAPERFEED_RERANK_DEPTH = 1  # only the first is "re-ranked": the fused order stays
    assert ids(hybrid.search("message passing molecules", limit=10)) == ids(fused)


def test_a_bad_path_keeps_the_fused_order(indexed, settings, tmp_path, caplog):  # noqa: F811
    fused = ids(hybrid.search("molecules graphs"))
    settings.PAPERFEED_RERANK_MODEL = str(tmp_path / "absent")
    assert ids(hybrid.search("molecules graphs")) == fused
    assert "no such directory" in caplog.text
    with pytest.raises(cross_encoder.RerankError, match="absent"):
        cross_encoder.load(str(tmp_path / "absent"))

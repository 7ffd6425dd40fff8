"""The corpus vocabulary (built and kept with the lexical index) and the suggestions drawn from
it: spelling corrections for words no paper holds, and the filters whose removal finds papers."""

import datetime as dt
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperfeed.papers.models import Paper
from paperfeed.search import hybrid, lexical, paths, vocabulary
from paperfeed.search.suggestions import closest, corrected, corrections_for, suggest
from paperfeed.search.sync import rebuild_indexes, sync_indexes
from tests.web.conftest import record, store


def test_words_are_folded_lowercased_letters_of_three_to_thirty():
    assert vocabulary.words_of("Jürgen's 3D Graph-Transformers of GNNs, x" + " a" * 3) == {
        "jurgen",
        "graph",
        "transformers",
        "gnns",
    }
    assert vocabulary.words_of("z" * 31 + " " + "y" * 30) == {"y" * 30}


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=30)


@given(st.dictionaries(WORD, st.integers(0, 10**9), max_size=50))
def test_vocabulary_file_round_trips(tmp_path_factory, counts):
    directory = tmp_path_factory.mktemp("vocabulary")
    vocabulary.write(directory, Counter(counts))
    assert vocabulary.read(directory) == Counter(counts)


def test_a_malformed_vocabulary_line_is_named(tmp_path):
    (tmp_path / vocabulary.FILE).write_text("graph\t3\nattention 4\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"vocabulary.tsv, line 2: expected WORD<TAB>COUNT"):
        vocabulary.read(tmp_path)


def test_closest_prefers_fewer_edits_then_frequent_words():
    words = ["transformer", "transformers", "transforms", "graph", "grape", "graphs"]
    counts = Counter(transformer=2, transformers=50, transforms=9, graph=5, grape=1, graphs=7)
    assert closest("tranformers", words, counts)[0] == "transformers"  # 1 edit
    assert closest("grap", words, counts) == ["graph", "grape"]  # 1 edit each: by frequency
    assert closest("xyzzy", words, counts) == []
    assert closest("graph", words, counts) == ["graphs", "grape"]  # never the word itself


def test_corrected_replaces_whole_words_only():
    fixes = {"atention": "attention"}
    assert corrected('atention -atention "atention span" atentional', fixes) == (
        'attention -attention "attention span" atentional'
    )


@pytest.fixture
def corpus(data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"  # no vectors: lexical answers
    store(
        record(
            "2025-03-18",
            arxiv_id="2503.00001",
            title="Transformers for protein folding",
            abstract="Attention over residues predicts structure.",
            categories=("q-bio.BM",),
        ),
        record(
            "2025-03-20",
            arxiv_id="2503.00002",
            title="Graph transformers",
            abstract="Attention on graphs, with message passing.",
            categories=("cs.LG",),
        ),
        record(
            "2025-04-02",
            arxiv_id="2504.00003",
            title="Speech recognition",
            abstract="Acoustic models.",
            categories=("cs.CL",),
            authors=("Grace Hopper",),
        ),
    )
    sync_indexes(progress=False)
    return data_home


@pytest.mark.django_db
def test_the_index_build_writes_the_vocabulary_and_a_sync_adds_to_it(corpus):
    counts = vocabulary.read(paths.current_dir(lexical.KIND))
    assert counts["attention"] == 2 and counts["transformers"] == 2 and counts["acoustic"] == 1
    assert "hopper" not in counts  # titles and abstracts only: names are not spelt like words
    store(record("2025-04-03", arxiv_id="2504.00004", title="Acoustic scene analysis"))
    sync_indexes(progress=False)
    counts = vocabulary.read(paths.current_dir(lexical.KIND))
    assert counts["acoustic"] == 2 and counts["scene"] == 1
    rebuild_indexes(progress=False)
    assert vocabulary.read(paths.current_dir(lexical.KIND))["scene"] == 1


@pytest.mark.django_db
def test_a_generation_without_a_vocabulary_gets_one_on_the_next_sync(corpus):
    path = paths.current_dir(lexical.KIND)
    (path / vocabulary.FILE).unlink()
    Paper.objects.filter(arxiv_id="2504.00003").update(title="Speech recognition")  # no change
    sync_indexes(progress=False)
    assert vocabulary.read(path)["residues"] == 1


@pytest.mark.django_db
def test_spelling_corrects_words_no_paper_holds(corpus):
    index = lexical.current_index()
    assert corrections_for("tranformers atention", index) == {
        "tranformers": ("transformers", 0),  # (the correction, papers holding the word)
        "atention": ("attention", 0),
    }
    # known words (also by their stem: "graph" is held as "graphs"), function words, short
    # words, field names and author names are left alone
    assert corrections_for("graph the of xq title:attention hopper", index) == {}
    result = hybrid.search("tranformers atention")
    assert result.total == 0
    found = suggest("tranformers atention", result, mode="hybrid")
    assert found.spelling.query == "transformers attention"
    assert found.spelling.held_by == {"tranformers": 0, "atention": 0}
    assert found.spelling.count == 2 and not found.spelling.count_is_estimate
    assert found.relaxations == ()  # no filter to drop


@pytest.mark.django_db
def test_a_correction_that_would_find_nothing_is_not_offered(corpus):
    result = hybrid.search("tranformers", categories=["cs.CL"])
    found = suggest("tranformers", result, mode="hybrid", categories=["cs.CL"])
    assert found.spelling is None
    assert [(r.label, r.param, r.count) for r in found.relaxations] == [
        ("category cs.CL", "category", 0)  # still nothing: the word is misspelt
    ]


@pytest.mark.django_db
def test_each_filter_is_dropped_alone_with_its_count(corpus):
    query = "attention cat:cs.CL -cat:cs.LG"
    since = dt.date(2025, 3, 19)
    result = hybrid.search(query, since=since)
    assert result.total == 0
    found = suggest(query, result, mode="hybrid", since=since)
    assert [(r.label, r.query, r.param, r.count) for r in found.relaxations] == [
        ("cat:cs.CL", "attention -cat:cs.LG", None, 0),  # 2503.00002 is cs.LG, 00001 too early
        ("-cat:cs.LG", "attention cat:cs.CL", None, 0),
        ("since 2025-03-19", query, "since", 0),
    ]
    found = suggest("attention cat:cs.CL", hybrid.search("attention cat:cs.CL"), mode="lexical")
    assert [(r.label, r.query, r.count) for r in found.relaxations] == [
        ("cat:cs.CL", "attention", 2)
    ]
    assert not found.relaxations[0].count_is_estimate


@pytest.mark.django_db
def test_a_rare_word_is_corrected_only_to_a_far_more_common_one(data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    many = [
        record("2025-03-18", arxiv_id=f"2503.{n:05d}", title=f"Transformers, part {n}")
        for n in range(1, 21)
    ]
    store(
        *many,
        record("2025-03-19", arxiv_id="2503.00100", title="Tranformers and difusion"),
        record("2025-03-19", arxiv_id="2503.00101", title="Diffusion models"),
    )
    sync_indexes(progress=False)
    index = lexical.current_index()
    # in one paper, but 20 hold "transformers"; "diffusion" is in only one: no correction
    assert corrections_for("tranformers difusion", index) == {"tranformers": ("transformers", 1)}
    found = suggest("tranformers", hybrid.search("tranformers"), mode="hybrid")
    assert found.spelling.held_by == {"tranformers": 1} and found.spelling.count == 20
    assert corrections_for("transformers", index) == {}  # a common word is never checked


@pytest.mark.django_db
def test_an_empty_query_gets_no_suggestions(corpus):
    result = hybrid.search("  ", categories=["cs.CL"])
    assert suggest("  ", result, mode="hybrid", categories=["cs.CL"]).as_dict() == {
        "spelling": None,
        "drop_filters": [],
    }

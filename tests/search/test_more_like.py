"""More like this (search/more_like.py): the example left out, fixed pools that page cleanly,
the recency order, pasted text checked and its own paper left out, filters."""

import datetime as dt
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperfeed.ingest.jsonl import parse as parse_jsonl
from paperfeed.ingest.upsert import ingest
from paperfeed.params import BadParameter
from paperfeed.search import embedding_job, more_like
from paperfeed.search.encoders import load_encoder
from paperfeed.search.hits import Hit
from paperfeed.search.sync import sync_indexes
from paperfeed.search.vector_filters import Filters

BASE = "Sparse attention for long context transformers reduces memory and compute"
PAPERS = [
    (f"2503.0000{n}", f"{BASE} variant {n}", f"{BASE}. We study variant {n} of the method.", d, c)
    for n, d, c in [
        (1, "2025-03-18", "cs.LG"),
        (2, "2025-06-02", "cs.CL"),
        (3, "2025-04-20", "cs.LG"),
        (4, "2025-05-01", "cs.CL"),
        (5, "2025-01-15", "cs.LG"),
    ]
] + [
    (
        "2503.00009",
        "Protein folding with message passing",
        "Amino acid graphs predict protein structure in chemistry.",
        "2025-07-01",
        "q-bio.BM",
    )
]


@pytest.fixture
def indexed(settings, data_home, db):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:256"
    objs = [
        {"id": i, "title": t, "abstract": a, "authors": ["Ada Lovelace"], "categories": [c]}
        | {"listed": d}
        for i, t, a, d, c in PAPERS
    ]
    ingest(parse_jsonl(io.BytesIO("".join(json.dumps(o) + "\n" for o in objs).encode()), "t"))
    embedding_job.embed_missing(load_encoder())
    assert sync_indexes(progress=False)["vectors"]["total"] == len(PAPERS)
    return data_home


def ids(result):
    return [h.id for h in result.hits]


def test_like_paper_leaves_the_paper_out_and_ranks_by_cosine(indexed):
    result = more_like.like_paper("2503.00001", limit=20)
    assert "2503.00001" not in ids(result)
    assert set(ids(result)[:4]) == {f"2503.0000{n}" for n in (2, 3, 4, 5)}
    sims = [h.similarity for h in result.hits]
    assert sims == sorted(sims, reverse=True) and result.total == len(PAPERS) - 1


def test_pages_are_slices_of_one_pool(indexed):
    for sort in more_like.SORTS:
        whole = ids(more_like.like_paper("2503.00002", sort=sort, limit=100))
        pages = [
            ids(more_like.like_paper("2503.00002", sort=sort, limit=2, offset=o)) for o in (0, 2, 4)
        ]
        assert sum(pages, []) == whole, sort


def test_recency_is_newest_first_among_the_close(indexed, monkeypatch):
    monkeypatch.setattr(more_like, "RECENCY_FLOOR", 0.5)
    result = more_like.like_paper("2503.00001", sort="recency", limit=10)
    # the four close variants, newest first; the protein paper is newer but not close
    assert ids(result) == ["2503.00002", "2503.00004", "2503.00003", "2503.00005"]


def test_filters_apply_to_the_pool(indexed):
    result = more_like.like_paper("2503.00001", filters=Filters(categories=("cs.CL",)))
    assert set(ids(result)) == {"2503.00002", "2503.00004"}
    since = more_like.like_paper("2503.00001", filters=Filters(since=dt.date(2025, 5, 1)))
    assert set(ids(since)) == {"2503.00002", "2503.00004", "2503.00009"}


def test_a_pasted_abstract_leaves_its_own_paper_out(indexed):
    title, abstract = PAPERS[2][1], PAPERS[2][2]
    result = more_like.like_text(f"{title}. {abstract}", limit=20)
    assert "2503.00003" not in ids(result)
    assert set(ids(result)[:4]) == {f"2503.0000{n}" for n in (1, 2, 4, 5)}
    text = more_like.like_text("Amino acid graphs predict folding of proteins", limit=3)
    assert ids(text)[0] == "2503.00009"  # not a paper's own text: nothing left out


def test_an_unknown_or_unembedded_paper_gives_nothing(indexed):
    assert more_like.like_paper("2599.99999").hits == []


def test_no_vector_index_gives_nothing(settings, data_home, db):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    assert more_like.like_paper("2503.00001").total == 0
    assert more_like.like_text("three words here at least").total == 0


def test_bad_sort_and_text_are_refused_by_name():
    with pytest.raises(BadParameter, match=r"^sort: expected one of relevance, recency"):
        more_like.like_paper("2503.00001", sort="newest")
    with pytest.raises(BadParameter, match=r"^text: 2,001 characters is longer than the 2,000"):
        more_like.check_text("text", "x" * 2001)
    with pytest.raises(BadParameter, match=r"^text: paste an abstract .* \(at least 3 words\)"):
        more_like.check_text("text", "  two words ")
    assert more_like.check_text("text", " a b c ") == "a b c"


def test_same_text_is_the_paper_itself_not_a_topic():
    title, abstract = "Attention is all you need", "The dominant sequence models are recurrent."
    assert more_like.same_text("The dominant  sequence models are RECURRENT", title, abstract)
    assert more_like.same_text(f"{title}.\n{abstract}", title, abstract)
    assert not more_like.same_text("sequence models", title, abstract)  # a few words: a topic
    long = " ".join(f"w{i}" for i in range(40))
    assert more_like.same_text(" ".join(long.split()[3:35]), "t", long)  # a 32-word excerpt


DAYS = st.dictionaries(
    st.sampled_from([f"p{i}" for i in range(8)]),
    st.one_of(st.none(), st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1))),
)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), max_size=8),
    DAYS,
    st.integers(1, 8),
    st.floats(0.0, 1.0),
)
def test_by_recency_keeps_the_close_among_the_pool_newest_first(sims, days, pool, floor):
    hits = [
        Hit(id=f"p{i}", score=s, similarity=s) for i, s in enumerate(sorted(sims, reverse=True))
    ]
    got = more_like.by_recency(hits, days, pool=pool, floor=floor)
    assert {h.id for h in got} == {h.id for h in hits[:pool] if h.similarity >= floor}
    keys = [days.get(h.id) or dt.date.min for h in got]
    assert keys == sorted(keys, reverse=True)

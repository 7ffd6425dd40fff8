"""The vector generation's table: categories and dates read without the database, filtered
semantic search exact over the papers that pass (search/vector_table.py, search/table_search.py)."""

import datetime as dt
import io
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperfeed.ingest.jsonl import parse as parse_jsonl
from paperfeed.ingest.upsert import ingest
from paperfeed.papers.models import Paper
from paperfeed.search import embedding_job, paths, vector_index, vector_table
from paperfeed.search.encoders import load_encoder
from paperfeed.search.models import Embedding
from paperfeed.search.vector_filters import Filters, filtered_query

CATEGORIES = ["cs.LG", "cs.CV", "cs.CL", "stat.ML", "q-bio.BM", "CS.RO"]
DAYS = [None, dt.date(2019, 5, 1), dt.date(2025, 3, 18), dt.date(2026, 1, 2)]


def reference(meta, filters: Filters) -> set[int]:
    """Which keys pass, as vector_filters._category_q and filtered_query read a row."""

    def listed(cats: str, name: str) -> bool:
        names = cats.lower().split()
        name = name.strip().lower()
        if "." in name:
            return name in names
        return any(n.startswith(name + ".") for n in names)

    out = set()
    for key, (_, cats, day, _) in meta.items():
        if filters.categories and not any(listed(cats, c) for c in filters.categories):
            continue
        if any(listed(cats, c) for c in filters.not_categories):
            continue
        if filters.since and (day is None or day < filters.since):
            continue
        if filters.until and (day is None or day > filters.until):
            continue
        out.add(key)
    return out


@settings(max_examples=60, deadline=None)
@given(
    papers=st.lists(
        st.tuples(
            st.lists(st.sampled_from(CATEGORIES), max_size=3),
            st.sampled_from(DAYS),
        ),
        max_size=30,
    ),
    wanted=st.lists(st.sampled_from([*CATEGORIES, "cs", "q-bio", "stat", "math"]), max_size=2),
    unwanted=st.lists(st.sampled_from(["cs.CV", "cs", "stat.ML"]), max_size=1),
    since=st.sampled_from([None, *DAYS[1:]]),
    until=st.sampled_from([None, *DAYS[1:]]),
)
def test_the_mask_is_what_the_database_filter_keeps(papers, wanted, unwanted, since, until):
    keys = np.array([7 * i + 3 for i in range(len(papers))][::-1], dtype=np.uint64)  # unsorted
    meta = {
        int(key): (f"2503.{int(key):05d}", " ".join(cats), day, None)
        for key, (cats, day) in zip(keys, papers, strict=True)
    }
    table = vector_table.build(keys, np.ones((len(keys), 4)), meta)
    filters = Filters(
        categories=tuple(wanted), not_categories=tuple(unwanted), since=since, until=until
    )
    mask = table.mask(filters)
    if mask is None:
        assert not filters.active
        return
    assert {int(table.keys[r]) for r in np.flatnonzero(mask)} == reference(meta, filters)


def test_rows_of_ids_and_keys_and_exact_rows():
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(50, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    keys = np.arange(100, 150, dtype=np.uint64)[::-1]
    meta = {int(k): (f"p{int(k)}", "cs.LG", None, None) for k in keys}
    table = vector_table.build(keys, vectors, meta)
    assert table.rows_of_keys(np.array([100, 149, 7], dtype=np.uint64)).tolist() == [0, 49, -1]
    assert table.rows_of_ids(["p149", "nope", "p101"]).tolist() == [1, 49]
    assert table.ids[table.rows_of_ids(["p120"])[0]] == "p120"
    rows = np.arange(0, 50, 2)
    query = vectors[5]  # key 144 (keys were given in reverse), row 44
    found, sims = vector_table.exact_rows(table, rows, query, 5)
    expected = rows[np.argsort(-(table.vectors[rows].astype(np.float32) @ query))[:5]]
    assert found.tolist() == expected.tolist() and found[0] == 44
    assert sims == pytest.approx(sorted(sims, reverse=True))
    assert vector_table.exact_rows(table, rows[:0], query, 5)[0].tolist() == []


# ---------------------------------------------------------------------- with the database

TOPICS = ["graph neural networks", "protein folding", "speech recognition", "robot control"]


def paper(i: int) -> dict:
    return {
        "id": f"2503.{i:05d}",
        "title": f"{TOPICS[i % 4]} study {i}",
        "abstract": f"We look at {TOPICS[i % 4]} in setting {i}.",
        "authors": [f"Author {i % 7}"],
        "categories": [["cs.LG"], ["cs.CV", "cs.LG"], ["stat.ML"], ["q-bio.BM"]][i % 4],
        "listed": f"2025-03-{1 + i % 28:02d}",
    }


@pytest.fixture
def stored(settings, data_home):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    objs = [paper(i) for i in range(1, 121)]
    data = "".join(json.dumps(o) + "\n" for o in objs).encode()
    ingest(parse_jsonl(io.BytesIO(data), "t.jsonl"))
    encoder = load_encoder()
    embedding_job.embed_missing(encoder)
    vector_index.sync_vectors()
    return encoder


def exact_answer(query: np.ndarray, k: int, filters: Filters) -> list[tuple[float, str]]:
    """(cosine, id) of the k passing papers closest to ``query``, by brute force."""
    passing = set(filtered_query(filters).values_list("arxiv_id", flat=True))
    rows = [(e.paper_id, e.as_array()) for e in Embedding.objects.filter(paper_id__in=passing)]
    sims = [(float(v @ query / np.linalg.norm(v) / np.linalg.norm(query)), pid) for pid, v in rows]
    return sorted(sims, key=lambda s: (-s[0], s[1]))[:k]


FILTERS = [
    Filters(categories=("cs.CV",)),
    Filters(categories=("cs",)),
    Filters(categories=("stat.ML", "q-bio")),
    Filters(not_categories=("cs",)),
    Filters(since=dt.date(2025, 3, 20)),
    Filters(since=dt.date(2025, 3, 5), until=dt.date(2025, 3, 9), categories=("cs.LG",)),
    Filters(authors=("Author 3",)),
    Filters(categories=("cs.LG",), not_authors=("Author 1",)),
]


@pytest.mark.django_db
@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_a_filtered_search_is_the_exact_top_k_of_the_papers_that_pass(stored, monkeypatch, filters):
    monkeypatch.setattr(vector_index, "MAX_FETCH", 8)  # the database path's over-fetch: too few
    index = vector_index.current_index()
    assert index.table is not None and len(index.table) == 120
    query = stored.encode(["protein folding"])[0]
    k = 25
    hits = vector_index.search_vectors(query, k, filters=filters, index=index)
    expected = exact_answer(query, k, filters)
    passing = set(filtered_query(filters).values_list("arxiv_id", flat=True))
    assert len(hits) == len(expected) > 0 and {h.id for h in hits} <= passing
    # the exact top k: the same cosines (float16 vectors; near-ties may swap equal papers)
    assert [h.score for h in hits] == pytest.approx([s for s, _ in expected], abs=2e-3)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.django_db
def test_the_database_still_decides_hidden_papers_and_changes(stored):
    index = vector_index.current_index()
    query = stored.encode(["protein folding"])[0]
    filters = Filters(categories=("q-bio",))
    first = vector_index.search_vectors(query, 5, filters=filters, index=index)
    Paper.objects.filter(pk=first[0].id).update(hidden=True)
    Paper.objects.filter(pk=first[1].id).update(categories="cs.AI")  # the table is older
    again = vector_index.search_vectors(query, 5, filters=filters, index=index)
    assert {first[0].id, first[1].id}.isdisjoint(h.id for h in again) and len(again) == 5
    excluded = vector_index.search_vectors(
        query, 5, filters=filters, index=index, exclude={again[0].id}
    )
    assert again[0].id not in {h.id for h in excluded}


@pytest.mark.django_db
def test_a_generation_without_a_table_gets_one_at_the_next_sync(stored):
    directory = paths.current_dir("vectors")
    for name in (*vector_table.FILES, vector_table.META_FILE[:-5]):
        (directory / f"{name}.npy").unlink(missing_ok=True)
    (directory / vector_table.META_FILE).unlink()
    vector_index._CACHE.clear()
    assert vector_index.current_index().table is None  # the database path answers meanwhile
    assert vector_index.sync_vectors()["added"] == 0
    assert paths.current_dir("vectors") != directory
    assert len(vector_index.current_index().table) == 120


@pytest.mark.django_db
def test_an_unfiltered_search_and_the_fill_in_cosines_read_the_table_not_the_database(
    stored, django_assert_num_queries
):
    index = vector_index.current_index()
    query = stored.encode(["speech recognition"])[0]
    expected = exact_answer(query, 10, Filters())
    with django_assert_num_queries(0):
        hits = vector_index.search_vectors(query, 10, index=index)
        excluded = vector_index.search_vectors(query, 10, index=index, exclude={hits[0].id})
        wanted = [h.id for h in hits[:3]] + ["2503.00002", "1999.99999"]
        sims = vector_index.cosines_of(query, wanted, index)
    assert [h.score for h in hits] == pytest.approx([s for s, _ in expected], abs=2e-3)
    assert hits[0].id not in {h.id for h in excluded} and len(excluded) == 10
    assert excluded[0].id == hits[1].id
    assert set(sims) == set(wanted[:-1])  # an id without a vector has no cosine
    assert sims[hits[0].id] == pytest.approx(hits[0].score, abs=2e-3)
    exact = {pid: sim for sim, pid in exact_answer(query, 120, Filters())}
    assert sims["2503.00002"] == pytest.approx(exact["2503.00002"], abs=2e-3)

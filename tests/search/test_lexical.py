"""The tantivy index on its own: query features, filters, sorts, snippets, robustness."""

import datetime as dt
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperfeed.search.lexical import LexicalIndex, day_number
from paperfeed.search.query import parse
from paperfeed.search.snippets import content_ranges, field_reason, highlight

PAPERS = [
    {
        "id": "2503.00001",
        "title": "KV Cache Compression for Long-Context LLMs",
        "abstract": "We compress the key-value cache of transformers. <script>alert(1)</script>",
        "authors": ["Ashish Vaswani", "Yann LeCun"],
        "categories": ["cs.CL", "cs.LG"],
        "day": dt.date(2025, 3, 18),
        "upvotes": 5,
    },
    {
        "id": "2503.00002",
        "title": "A cache of keys for retrieval",
        "abstract": "Retrieval with a cache; the KV store is small.",
        "authors": ["Jürgen Schmidhuber"],
        "categories": ["cs.IR"],
        "day": dt.date(2025, 4, 1),
        "upvotes": 50,
    },
    {
        "id": "2503.00003",
        "title": "Graph neural networks for molecules",
        "abstract": "Message passing on molecular graphs predicts properties.",
        "authors": ["Marie Curie", "Bob Smith"],
        "categories": ["q-bio.BM", "cs.LG"],
        "day": dt.date(2025, 5, 10),
        "upvotes": 1,
    },
    {
        "id": "cs/9809007",
        "title": "Compression of old text collections",
        "abstract": "Huffman coding of inverted files. Cache behaviour is discussed.",
        "authors": ["Alice Moffat"],
        "categories": ["cs.DS"],
        "day": dt.date(1998, 9, 30),
        "upvotes": 0,
    },
    {
        "id": "2503.00005",
        "title": "Quantum error correction",
        "abstract": "Surface codes and decoders; nothing about caches.",
        "authors": ["Bob Smithson"],
        "categories": ["quant-ph"],
        "day": None,
        "upvotes": 7,
    },
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    path = tmp_path_factory.mktemp("lexical") / "idx"
    built = LexicalIndex.create(path)
    assert built.add_documents(PAPERS) == len(PAPERS)
    built.commit()
    built.close()
    return LexicalIndex.open(path)


def ids(index, query, **kwargs):
    hits, _ = index.search(query, **kwargs)
    return [h.id for h in hits]


def test_words_rank_title_matches_first(index):
    hits, total = index.search("kv cache compression")
    assert hits[0].id == "2503.00001"
    assert total == 4  # 00005 matches too: "caches" and "cache" share the stem "cach"
    assert hits[0].score > hits[1].score


def test_phrase_requires_adjacent_words(index):
    assert ids(index, '"kv cache"') == ["2503.00001"]
    assert set(ids(index, "kv cache")) >= {"2503.00001", "2503.00002"}


def test_boolean_operators(index):
    assert set(ids(index, "+cache -compression")) == {"2503.00002", "2503.00005"}
    assert set(ids(index, "molecules OR huffman")) == {"2503.00003", "cs/9809007"}
    assert ids(index, "cache AND huffman") == ["cs/9809007"]


def test_title_field(index):
    assert set(ids(index, "title:compression")) == {"2503.00001", "cs/9809007"}
    assert "2503.00002" not in ids(index, "title:kv")


def test_author_exact_first_then_similar_names(index):
    # a whole name part is exact: Smith is not Smithson
    assert ids(index, "author:smith") == ["2503.00003"]
    assert ids(index, 'author:"Bob Smith"') == ["2503.00003"]
    assert ids(index, "author:jurgen") == ["2503.00002"]  # accent folded
    assert ids(index, "cache", author="Vaswani") == ["2503.00001"]
    assert index.fuzzy_authors(["smith", "Vaswani", "vasw", "schmidhubr"]) == ["vasw", "schmidhubr"]
    # no exact match: the fallback, by prefix or one edit away
    assert ids(index, "author:vasw") == ["2503.00001"]
    assert ids(index, 'author:"yann lec"') == ["2503.00001"]
    assert ids(index, "author:schmidhubr") == ["2503.00002"]
    hits, _ = index.search("author:vasw")
    assert hits[0].why == ["author Ashish Vaswani"]


def test_author_initials(index):
    assert ids(index, 'author:"B. Smith"') == ["2503.00003"]
    assert ids(index, 'author:"M Curie"') == ["2503.00003"]
    assert ids(index, 'author:"J. Schmidhuber"') == ["2503.00002"]
    assert ids(index, 'author:"A. Vaswani"') == ["2503.00001"]
    assert ids(index, 'author:"Ashish Vaswani"') == ["2503.00001"]
    assert index.fuzzy_authors(["X. Curie", "B. Smith"]) == ["X. Curie"]
    assert ids(index, 'author:"X. Curie"') == []  # the fallback does not drop the initial


def test_name_words_are_author_names_not_topic_words(index):
    # "smith" names two papers' authors and no abstract; "cache" is text; "yann" a name;
    # "molecules" is no author
    assert index.name_words(["smith", "cache", "yann", "molecules", "of", "a"]) == ["smith", "yann"]


def test_scores_of_gives_the_search_score_of_any_paper(index):
    hits, _ = index.search("cache compression", limit=10, snippets=False)
    full = {h.id: h.score for h in hits}
    some = ["2503.00002", "2503.00003", "cs/9809007"]
    scores = index.scores_of(parse("cache compression"), some)
    assert scores == pytest.approx({i: full[i] for i in some if i in full})
    assert "2503.00003" not in scores  # matches no term
    assert index.scores_of(parse("cache"), []) == {}


@pytest.mark.parametrize("query", ["cache compression", "author:moffat compression", "cat:cs.IR"])
def test_unexplained_hits_are_the_same_ranking_with_ids_and_scores_only(index, query):
    full, total = index.search(query, limit=10)
    bare, bare_total = index.search(query, limit=10, explained=False)
    assert [(h.id, h.score) for h in bare] == [(h.id, h.score) for h in full] and full
    assert bare_total == total
    assert all(not (h.why or h.terms or h.snippets or h.matched) for h in bare)


def test_category_filters(index):
    assert set(ids(index, "cat:cs.LG")) == {"2503.00001", "2503.00003"}
    assert set(ids(index, "cat:cs")) == {"2503.00001", "2503.00002", "2503.00003", "cs/9809007"}
    assert ids(index, "cat:q-bio") == ["2503.00003"]
    assert set(ids(index, "cache", categories=["cs.IR", "cs.DS"])) == {"2503.00002", "cs/9809007"}
    assert set(ids(index, "cache -cat:cs.IR")) == {"2503.00001", "cs/9809007", "2503.00005"}
    assert ids(index, "cache", categories=["no-such"]) == []
    assert ids(index, "cache", categories=["!!"]) == []


def test_date_filters(index):
    since = set(ids(index, "cache", since=dt.date(2025, 3, 19)))
    assert since == {"2503.00002"}
    until = set(ids(index, "compression", until=dt.date(2025, 3, 18)))
    assert until == {"2503.00001", "cs/9809007"}
    assert ids(index, "compression", since=dt.date(2000, 1, 1), until=dt.date(2025, 3, 18)) == [
        "2503.00001"
    ]


def test_sorts(index):
    assert ids(index, "cat:cs", sort="newest") == [
        "2503.00003",
        "2503.00002",
        "2503.00001",
        "cs/9809007",
    ]
    assert ids(index, "cat:cs", sort="upvotes")[:2] == ["2503.00002", "2503.00001"]
    hits, _ = index.search("cat:cs", sort="upvotes")
    assert [h.score for h in hits] == [50.0, 5.0, 1.0, 0.0]
    with pytest.raises(ValueError, match="sort must be one of"):
        index.search("cache", sort="random")


def test_pagination_is_consistent_with_one_page(index):
    everything, total = index.search("cache OR compression OR graph", limit=10)
    assert total == len(everything) >= 4
    pages = []
    for offset in range(0, total, 2):
        page, page_total = index.search("cache OR compression OR graph", limit=2, offset=offset)
        assert page_total == total
        pages.extend(h.id for h in page)
    assert pages == [h.id for h in everything]


def test_limit_zero_counts_and_offset_past_the_end_is_empty(index):
    assert index.search("cache", limit=0) == ([], 4)
    assert index.search("cache", limit=5, offset=100) == ([], 4)
    with pytest.raises(ValueError, match="limit and offset"):
        index.search("cache", offset=-1)


def test_snippets_are_escaped_and_highlighted(index):
    hit = index.search("transformers")[0][0]
    abstract = hit.snippets["abstract"]
    assert "<mark>transformers</mark>" in abstract
    assert "<script>" not in abstract and "&lt;script&gt;" in abstract
    assert hit.why == ["abstract matches “transformers”"]
    assert hit.terms == ["transformers"]
    title_hit = index.search('"kv cache"')[0][0]
    assert title_hit.snippets["title"] == (
        "<mark>KV</mark> <mark>Cache</mark> Compression for Long-Context LLMs"
    )
    assert title_hit.why[0] == "title matches “KV”, “Cache”"  # each word on its own


def test_highlight_uses_byte_offsets_and_escapes():
    text = "Jürgen <b> & cache"
    start = text.encode().index(b"cache")
    assert highlight(text, [(start, start + 5)]) == "Jürgen &lt;b&gt; &amp; <mark>cache</mark>"
    assert highlight("<i>", []) == "&lt;i&gt;"


def test_id_lookup_comes_first(index):
    assert ids(index, "2503.00003") == ["2503.00003"]
    assert ids(index, "https://arxiv.org/abs/cs/9809007v2") == ["cs/9809007"]
    hits, _ = index.search("cache 2503.00005")
    assert hits[0].id == "2503.00005" and hits[0].why[0] == "arXiv id 2503.00005"
    assert len(hits) > 1


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "AND",
        "OR",
        "NOT",
        "-",
        "+",
        "(",
        ")",
        '"',
        '"kv',
        "kv)",
        "title:",
        "cat:",
        "author:",
        "kv AND",
        "a -",
        "[a TO b]",
        "IN [a b]",
        "\\",
        "*",
        "kv^",
        "x" * 10_000,
        "cache " * 2000,
        "深度学习 缓存",
        "التعلم العميق",
        "😀🔥 cache",
        "\x00\x07cache\x1b",
        "foo:bar",
        "title:(kv",
        'author:"',
        "cat:cs.LG OR",
        "~1",
        "0:*",
        "x:y kv",
        "title:a:b",
        "^2",
    ],
)
def test_broken_queries_never_raise(index, query):
    hits, total = index.search(query)
    assert isinstance(hits, list) and total >= len(hits)


def test_plain_words_still_found_when_syntax_is_broken(index):
    assert "2503.00001" in ids(index, "(kv cache")
    assert "2503.00001" in ids(index, "kv cache AND")
    assert "2503.00002" in ids(index, "😀 retrieval")


def test_empty_query_is_an_empty_list(index):
    assert index.search("") == ([], 0)
    assert index.search("   \t") == ([], 0)


SYNTAX = st.sampled_from(
    [
        "AND",
        "OR",
        "NOT",
        "IN",
        "TO",
        "title:",
        "author:",
        "cat:",
        "cat:cs",
        "id:",
        "-",
        "+",
        '"',
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "^",
        "~",
        "*",
        "\\",
        ":",
        "!",
        "/",
        "0:",
        "kv",
        "cache",
        "2503.00001",
        "https://arxiv.org/abs/2503.00001",
        "深度",
        "😀",
        "\x00",
        " ",
    ]
)
QUERIES = st.one_of(
    st.text(max_size=200),
    st.lists(SYNTAX, max_size=12).map(" ".join),
    st.lists(SYNTAX, max_size=12).map("".join),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(QUERIES, st.sampled_from(["relevance", "newest"]))
def test_random_text_never_raises(index, text, sort):
    hits, total = index.search(text, limit=5, sort=sort)
    assert isinstance(hits, list) and total >= len(hits)


def test_delete_and_replace(tmp_path):
    idx = LexicalIndex.create(tmp_path / "i")
    idx.add_documents(PAPERS[:2])
    idx.commit()
    idx.add_documents([{**PAPERS[0], "title": "Totally new words"}])
    idx.delete(["2503.00002"])
    idx.commit()
    assert idx.num_docs == 1
    assert ids(idx, "totally") == ["2503.00001"]
    assert ids(idx, "retrieval") == []
    assert idx.all_ids() == {"2503.00001"}
    idx.close()


def test_create_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "x").write_text("x")
    with pytest.raises(FileExistsError, match="not empty"):
        LexicalIndex.create(tmp_path)


def test_day_number():
    assert day_number(dt.date(2025, 3, 8)) == 20250308
    assert day_number("2025-03-08") == 20250308
    assert day_number(None) == 0


def test_reasons_name_content_words_not_function_words():
    text = "Learning to Grasp from Videos"
    ranges = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
    kept = content_ranges(text, ranges)
    assert [word for *_, word, _term in kept] == ["Learning", "Grasp", "Videos"]
    assert field_reason("title", ["Learning", "Grasp", "Videos"]) == (
        "title matches “Learning”, “Grasp”, “Videos”"
    )
    assert content_ranges("of the was", [(0, 2), (3, 6), (7, 10)]) == []  # nothing to show


def test_filtered_ids_answer_the_filters_alone(index):
    def passing(**kwargs):
        found, count = index.filtered_ids(limit=10, **kwargs)
        assert found is not None and count == len(found)
        return set(found)

    assert passing(categories=["cs.LG"]) == {"2503.00001", "2503.00003"}
    assert passing(categories=["cs"], not_categories=["cs.LG"]) == {"2503.00002", "cs/9809007"}
    assert passing(since=dt.date(2025, 4, 1), until=dt.date(2025, 5, 10)) == {
        "2503.00002",
        "2503.00003",
    }
    # names as the search matches them: exact and initials-aware, or similar names when asked
    assert passing(authors=["smith"]) == {"2503.00003"}
    assert passing(authors=["smith"], fuzzy_authors=["smith"]) == {"2503.00003", "2503.00005"}
    assert passing(authors=["J. Schmidhuber"]) == {"2503.00002"}
    assert passing(authors=["jürgen schmid"], fuzzy_authors=["jürgen schmid"]) == {"2503.00002"}
    assert passing(categories=["cs.CV"]) == set()
    assert passing(not_categories=["cs"]) == {"2503.00005"}


def test_filtered_ids_only_count_past_the_limit(index):
    assert index.filtered_ids(categories=["cs"], limit=3) == (None, 4)
    assert index.filtered_ids(categories=["cs"], limit=4)[1] == 4
    assert index.filtered_ids(categories=["!!"], limit=10) == (None, 0)  # not a category: unknown

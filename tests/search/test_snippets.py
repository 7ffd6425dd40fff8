"""Highlights and reasons that tell the truth: only content words that the paper holds are
marked, and every word a reason names is in that field of that paper (checked with hypothesis
over random papers and queries, through the real tantivy index)."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperfeed.search.analyzers import name_parts, text_terms
from paperfeed.search.lexical import LexicalIndex
from paperfeed.search.snippets import STOP_TERMS

MARK = re.compile(r"<mark>(.*?)</mark>")
REASON = re.compile(r"^(title|abstract) matches (.*?)…?$")
QUOTED = re.compile(r"“([^”]*)”")


def build(papers):
    index = LexicalIndex.create(None)
    index.add_documents(papers)
    index.commit()
    return index


def test_the_attention_of_graphs_marks_attention_and_graphs_only():
    index = build(
        [
            {
                "id": "2503.00001",
                "title": "The attention of graphs",
                "abstract": "We study the attention of the nodes of graphs, and of their edges.",
                "authors": ["Ada Lovelace"],
            },
            {
                "id": "2503.00002",
                "title": "On the use of the world",
                "abstract": "The state of the art of the field is the topic of this note. " * 6
                + "Attention comes last.",
                "authors": ["Bob Smith"],
            },
        ]
    )
    hits, total = index.search("the attention of graphs")
    assert total == 2
    first, second = hits
    assert first.id == "2503.00001"
    assert MARK.findall(first.snippets["title"]) == ["attention", "graphs"]
    assert set(MARK.findall(first.snippets["abstract"])) == {"attention", "graphs"}
    assert first.why == [
        "title matches “attention”, “graphs”",
        "abstract matches “attention”, “graphs”",
    ]
    assert first.matched == {"title": ["attention", "graphs"], "abstract": ["attention", "graphs"]}
    # the second paper matched "the" and "of" everywhere, "attention" once, far down: the
    # excerpt shows that word (not a fragment full of marked function words)
    assert MARK.findall(second.snippets["abstract"]) == ["Attention"]
    assert second.why == ["abstract matches “Attention”"] and "title" not in second.snippets
    (third,), _ = index.search("the world of", limit=1, offset=1)
    assert third.why == ["title and abstract match only common words of the query"]
    assert third.matched == {} and "<mark>" not in third.snippets["abstract"]


def test_a_reason_names_separate_words_never_a_phrase_the_paper_lacks():
    index = build(
        [
            {
                "id": "2503.00003",
                "title": "Cache eviction for language models",
                "abstract": "A key-value cache grows; we evict tokens. Compression helps.",
                "authors": [],
            }
        ]
    )
    (hit,), _ = index.search("kv compression cache")
    # before: 'abstract matches “cache Compression”', a phrase the abstract does not hold
    assert hit.why == ["title matches “Cache”", "abstract matches “cache”, “Compression”"]


WORDS = [
    "the",
    "of",
    "and",
    "attention",
    "graph",
    "graphs",
    "graphing",
    "cache",
    "caches",
    "caching",
    "model",
    "models",
    "neural",
    "was",
    "is",
    "network",
    "Networks",
    "learning",
    "to",
    "Lovelace",
]
TEXT = st.lists(st.sampled_from(WORDS), min_size=1, max_size=30).map(" ".join)
PAPER = st.fixed_dictionaries(
    {
        "title": TEXT,
        "abstract": TEXT,
        "authors": st.lists(
            st.sampled_from(["Ada Lovelace", "Alan Turing", "Grace Graph"]), max_size=2
        ),
    }
)
QUERY = st.lists(
    st.sampled_from([*WORDS, "-graph", "title:cache", "abstract:models", '"neural network"']),
    min_size=1,
    max_size=5,
).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PAPER, min_size=1, max_size=6), QUERY)
def test_every_reason_and_mark_is_a_content_word_of_that_field(papers, query):
    docs = [{"id": f"2503.{i:05d}", **paper} for i, paper in enumerate(papers)]
    by_id = {doc["id"]: doc for doc in docs}
    hits, _ = build(docs).search(query, limit=10)
    for hit in hits:
        doc = by_id[hit.id]
        for field, words in hit.matched.items():
            if field == "authors":
                assert set(words) <= set(doc["authors"])
                continue
            held = set(text_terms(doc[field]))
            for word in words:
                terms = text_terms(word)
                assert terms and set(terms) <= held, (field, word, doc[field])
                assert not set(terms) & STOP_TERMS
        for reason in hit.why:
            found = REASON.match(reason)
            if reason.endswith("only common words of the query"):
                assert not hit.matched.keys() & {"title", "abstract"}
                continue
            if found:  # "title matches “x”, “y”": each quoted word is in that field
                field = found[1]
                quoted = QUOTED.findall(found[2])
                assert quoted and quoted == hit.matched[field][: len(quoted)]
            elif reason.startswith("author"):
                named = reason.split(" ", 1)[1].split(", ")
                assert set(named) <= set(doc["authors"])
                assert all(name_parts(n) for n in named)
        for field, snippet in hit.snippets.items():
            held = set(text_terms(doc[field]))
            for word in MARK.findall(snippet):
                terms = set(text_terms(word))
                assert terms <= held and not terms & STOP_TERMS, (field, word)

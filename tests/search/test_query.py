"""Query parsing: structure is kept where it is well-formed, and nothing ever raises."""

from hypothesis import given, settings
from hypothesis import strategies as st

from paperfeed.search.query import MAX_QUERY_CHARS, ParsedQuery, clean, parse, plain_words


def test_words_and_phrases_stay_in_the_text():
    parsed = parse('"kv cache" compression')
    assert parsed.text == '"kv cache" compression'
    assert parsed.words == ("kv", "cache", "compression")


def test_field_filters_are_extracted():
    parsed = parse('attention author:"Yann LeCun" cat:cs.CL -cat:cs.CV -author:smith title:graph')
    assert parsed.authors == ("Yann LeCun",)
    assert parsed.not_authors == ("smith",)
    assert parsed.categories == ("cs.cl",)
    assert parsed.not_categories == ("cs.cv",)
    assert parsed.text == "attention title:graph"


def test_an_archive_alone_is_a_category_filter():
    assert parse("cat:CS").categories == ("cs",)
    assert parse("category:q-bio.NC").categories == ("q-bio.nc",)


def test_a_query_that_is_an_id_or_url_names_that_paper():
    for text in (
        "2503.11731",
        "arXiv:2503.11731v2",
        "https://arxiv.org/abs/2503.11731",
        "  https://arxiv.org/pdf/2503.11731v1.pdf ",
    ):
        assert parse(text) == ParsedQuery(ids=("2503.11731",))
    mixed = parse("see cs/9809007 and https://arxiv.org/abs/2503.11731 please")
    assert mixed.ids == ("cs/9809007", "2503.11731")
    assert mixed.words == ("see", "and", "please")


def test_unknown_fields_become_words():
    parsed = parse("foo:bar baz")
    assert parsed.words == ("foo", "bar", "baz")
    assert ":" not in parsed.text


def test_colons_outside_known_fields_never_reach_tantivy_as_fields():
    assert parse("0:* kv").text == "0 kv"
    assert parse("title:a:b").text == 'title:"a:b"'


def test_unbalanced_quote_is_dropped():
    parsed = parse('"kv cache')
    assert parsed.text.count('"') % 2 == 0
    assert parsed.words == ("kv", "cache")


def test_empty_and_operator_only_queries_are_empty():
    for text in ("", "   ", "\t\n", "AND", "-", "+", "*", '""', "()", "!!!", "\x00\x01"):
        parsed = parse(text)
        assert parsed.text == "" or parsed.words, text
    assert parse("").is_empty and parse("   ").is_empty and parse("*").is_empty


def test_control_characters_removed_and_length_capped():
    assert clean("kv\x00cache\u200bmodel") == "kv cache model"
    long = clean("word " * 3000)
    assert len(long) <= MAX_QUERY_CHARS and long.endswith("word")
    assert clean(None) == "" and clean(42) == "42"


def test_plain_words_removes_every_operator():
    assert plain_words('title:"a" AND (b OR -c)^2 ~ \\') == [
        "title",
        "a",
        "and",
        "b",
        "or",
        "c",
        "2",
    ]
    assert plain_words("深度学习 模型 مرحبا 😀") == ["深度学习", "模型", "مرحبا"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_parse_never_raises_and_words_are_plain(text):
    parsed = parse(text)
    assert all(w == w.lower() and w.isalnum() for w in parsed.words)
    assert len(parsed.text) <= 2 * MAX_QUERY_CHARS


def test_has_code_is_a_filter_taken_out_of_the_text():
    parsed = parse("kv cache has:code cat:cs.CL")
    assert parsed.has_code and parsed.text == "kv cache" and parsed.categories == ("cs.cl",)
    assert parse("HAS:Code").has_code and not parse("HAS:Code").is_empty  # a filter alone
    for other in ("has:codes", '"has:code"', "kv", "-has:code kv"):
        assert not parse(other).has_code, other
    assert parse("has:codes").words == ("has", "codes")

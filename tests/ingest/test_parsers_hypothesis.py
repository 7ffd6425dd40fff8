"""Property tests for the four importers: text survives a trip through each format, and no input,
however broken, makes a parser raise anything but SourceError."""

from __future__ import annotations

import io

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperfeed.ingest import atom, hf, jsonl, kaggle, oai
from paperfeed.ingest.records import AuthorRecord, PaperRecord, Rejected, SourceError
from paperfeed.papers.text import collapse, normalise_abstract, normalise_name
from tests.ingest.documents import (
    atom_entry,
    atom_feed,
    hf_array,
    hf_entry,
    hf_lines,
    kaggle_line,
    oai_deleted,
    oai_record,
    oai_response,
)
from tests.papers.test_text import ANY_TEXT, expected, unwanted

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters XML 1.0 can carry (no controls, surrogates or non-characters), plus the white
# space arXiv wraps with. \r is left out: XML turns it into \n, which is not a round trip.
_CHARS = st.characters(exclude_categories=("Cs", "Cc", "Cn"), include_characters="\n\t ")
_PIECES = st.sampled_from(
    [
        "$O(n^2)$",
        "\\textit{deep}",
        "&",
        "&amp;",
        "<",
        ">",
        "<b>",
        '"',
        "'",
        "]]>",
        "\\&",
        "Schrödinger",
        "–",
        "日本語",
        "\n  ",
        "\n\n",
        "  ",
        "\u00a0",
        "\U0001f600",
    ]
)
TEXT = st.lists(st.one_of(st.text(_CHARS, max_size=6), _PIECES), max_size=10).map("".join)
TITLE = TEXT.filter(lambda t: collapse(t) != "")
NAME = st.lists(
    st.one_of(st.text(_CHARS, min_size=1, max_size=8), _PIECES), min_size=1, max_size=4
).map("".join)
NAMES = st.lists(st.tuples(NAME, NAME), max_size=4)  # (forenames, keyname)
CATEGORIES = st.lists(
    st.sampled_from(
        ["cs.LG", "cs.CL", "math.GT", "hep-th", "physics.ed-ph", "q-bio.NC", "stat.ML", "quant-ph"]
    ),
    min_size=1,
    max_size=4,
    unique=True,
)


def _expected_names(pairs) -> list[str]:
    return [n for n in (normalise_name(f"{f} {k}") for f, k in pairs) if n]


def _only(items) -> PaperRecord:
    (record,) = items
    assert isinstance(record, PaperRecord), record
    return record


@FAST
@given(
    title=TITLE, summary=TEXT, names=NAMES, affiliation=TEXT, comment=TEXT, categories=CATEGORIES
)
def test_atom_round_trip(title, summary, names, affiliation, comment, categories):
    entry = atom_entry(
        "2501.01234v2",
        title=title,
        summary=summary,
        primary=categories[0],
        categories=categories,
        authors=[(f"{f} {k}", [affiliation]) for f, k in names],
        comment=comment,
    )
    record = _only(atom.parse(io.BytesIO(atom_feed([entry])), "prop.xml"))
    assert (record.arxiv_id, record.version) == ("2501.01234", 2)
    assert record.title == collapse(title)
    assert record.abstract == normalise_abstract(summary)
    assert [a.name for a in record.authors] == _expected_names(names)
    assert {a.affiliation for a in record.authors} <= {collapse(affiliation)}
    assert record.comment == collapse(comment)
    assert record.categories == categories


@FAST
@given(
    title=TITLE,
    abstract=TEXT,
    names=NAMES,
    affiliation=TEXT,
    journal_ref=TEXT,
    categories=CATEGORIES,
)
def test_oai_round_trip(title, abstract, names, affiliation, journal_ref, categories):
    record_xml = oai_record(
        "hep-th/9504118",
        title=title,
        abstract=abstract,
        categories=" ".join(categories),
        authors=[(k, f, "", [affiliation]) for f, k in names],
        journal_ref=journal_ref,
    )
    record = _only(oai.parse(io.BytesIO(oai_response([record_xml])), "prop.xml"))
    assert record.arxiv_id == "hep-th/9504118"
    assert record.title == collapse(title)
    assert record.abstract == normalise_abstract(abstract)
    assert [a.name for a in record.authors] == _expected_names(names)
    assert {a.affiliation for a in record.authors} <= {collapse(affiliation)}
    assert record.journal_ref == collapse(journal_ref)
    assert record.categories == categories


@FAST
@given(title=TITLE, abstract=TEXT, names=NAMES, comment=TEXT, categories=CATEGORIES)
def test_kaggle_round_trip(title, abstract, names, comment, categories):
    line = kaggle_line(
        id="0704.0001",
        title=title,
        abstract=abstract,
        comments=comment,
        categories=" ".join(categories),
        authors="",
        authors_parsed=[[k, f, ""] for f, k in names],
    )
    record = _only(kaggle.parse(io.BytesIO(line), "prop.json"))
    assert record.title == collapse(title)
    assert record.abstract == normalise_abstract(abstract)
    assert [a.name for a in record.authors] == _expected_names(names)
    assert record.comment == collapse(comment)
    assert record.categories == categories


@FAST
@given(title=TITLE, summary=TEXT, names=st.lists(NAME, max_size=4), as_lines=st.booleans())
def test_hf_round_trip(title, summary, names, as_lines):
    entries = [hf_entry("2501.01234", title=title, summary=summary, authors=names)]
    data = hf_lines(entries) if as_lines else hf_array(entries)
    record = _only(hf.parse(io.BytesIO(data), "prop.json"))
    assert record.title == collapse(title)
    assert record.abstract == normalise_abstract(summary)
    assert [a.name for a in record.authors] == [n for n in map(normalise_name, names) if n]


PARSERS = {"atom": atom.parse, "oai": oai.parse, "kaggle": kaggle.parse, "hf": hf.parse}
VALID = {
    "atom": atom_feed([atom_entry("2501.00001v1"), atom_entry("quant-ph/0210005v3")], total=2),
    "oai": oai_response(
        [oai_record("1501.00001"), oai_deleted("1501.00002")], token="x|1", cursor=0, size=3
    ),
    "kaggle": kaggle_line(id="0704.0001") + kaggle_line(id="math/0211159"),
    "hf": hf_array([hf_entry("2501.00001"), hf_entry("2501.00002")]),
}


def _consume(fmt: str, data: bytes) -> None:
    """Parse everything; only SourceError may escape, and only records or rejects come out."""
    try:
        for item in PARSERS[fmt](io.BytesIO(data), "fuzz.in"):
            assert isinstance(item, PaperRecord | Rejected), item
    except SourceError as exc:
        assert str(exc).startswith("fuzz.in"), exc


@st.composite
def damaged(draw, fmt: str) -> bytes:
    """A valid document cut short, with bytes overwritten or inserted, or plain random bytes."""
    data = VALID[fmt]
    how = draw(st.sampled_from(["random", "truncate", "overwrite", "insert"]))
    if how == "random":
        return draw(st.binary(max_size=300))
    at = draw(st.integers(0, len(data)))
    if how == "truncate":
        return data[:at]
    junk = draw(st.binary(min_size=1, max_size=8))
    if how == "overwrite":
        return data[:at] + junk + data[at + len(junk) :]
    return data[:at] + junk + data[at:]


@settings(max_examples=150, deadline=None)
@given(data=damaged("atom"))
def test_atom_survives_damage(data):
    _consume("atom", data)


@settings(max_examples=150, deadline=None)
@given(data=damaged("oai"))
def test_oai_survives_damage(data):
    _consume("oai", data)


@settings(max_examples=150, deadline=None)
@given(data=damaged("kaggle"))
def test_kaggle_survives_damage(data):
    _consume("kaggle", data)


@settings(max_examples=150, deadline=None)
@given(data=damaged("hf"))
def test_hf_survives_damage(data):
    _consume("hf", data)


@settings(max_examples=100, deadline=None)
@given(
    value=st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2**63), 2**63 - 1)
        | st.floats(allow_nan=False)
        | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=8,
    )
)
def test_json_formats_reject_odd_field_values(value):
    """Any JSON value in any field gives a record or a Rejected, never a crash."""
    for field in (
        "id",
        "title",
        "abstract",
        "versions",
        "authors_parsed",
        "authors",
        "categories",
        "update_date",
        "doi",
        "license",
    ):
        _consume("kaggle", kaggle_line(**{field: value}))
    _consume("kaggle", kaggle_line(versions=[{"version": "v1", "created": value}]))
    _consume("kaggle", kaggle_line(authors_parsed=[value]))
    for field in ("id", "title", "summary", "authors", "publishedAt"):
        entry = hf_entry()
        entry["paper"][field] = value
        _consume("hf", orjson.dumps([entry, value]))


@settings(max_examples=200, deadline=None)
@given(
    created=st.text(max_size=40)
    | st.from_regex(
        r"[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{1,5} "
        r"\d\d:\d\d:\d\d [+-]\d{4}",
        fullmatch=True,
    )
)
def test_kaggle_version_dates_never_crash(created):
    _consume("kaggle", kaggle_line(versions=[{"version": "v1", "created": created}]))


@FAST
@given(title=ANY_TEXT, abstract=ANY_TEXT, name=ANY_TEXT, comment=ANY_TEXT)
def test_no_record_carries_control_characters(title, abstract, name, comment):
    """Whatever a JSON source sends (any code point), a record's text has no C0 control but tab
    and newline, no DEL and no surrogate; every other character is kept."""
    title = "T " + title  # never empty
    made = jsonl.record_from_object(
        {"id": "2501.01234", "title": title, "abstract": abstract, "authors": [name + " X"]},
        "prop.jsonl",
    )
    direct = PaperRecord(
        arxiv_id="2501.01234",
        title_raw=title,
        source="test",
        abstract_raw=abstract,
        authors=[AuthorRecord(name + " X", name)],
        comment=comment,
    )
    for record in (made, direct):
        texts = [record.title, record.title_raw, record.abstract, record.abstract_raw]
        texts += [record.comment, *(t for a in record.authors for t in (a.name, a.affiliation))]
        for text in texts:
            assert not any(unwanted(c) for c in text), repr(text)
        assert record.title == collapse(expected(title))
        assert record.abstract == normalise_abstract(expected(abstract))
    assert direct.title_raw == expected(title) and direct.abstract_raw == expected(abstract)
    assert direct.comment == expected(comment)

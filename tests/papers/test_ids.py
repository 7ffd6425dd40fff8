import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperfeed.papers.ids import (
    ARCHIVES,
    InvalidArxivId,
    id_from_number,
    id_number,
    parse_arxiv_id,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2501.01234", ("2501.01234", None)),
        ("2501.01234v3", ("2501.01234", 3)),
        ("arXiv:2501.01234v2", ("2501.01234", 2)),
        ("https://arxiv.org/abs/2501.01234v2", ("2501.01234", 2)),
        ("http://arxiv.org/pdf/1501.05039v1.pdf", ("1501.05039", 1)),
        ("oai:arXiv.org:1412.8544", ("1412.8544", None)),
        ("0704.0967", ("0704.0967", None)),
        ("cs/9809007", ("cs/9809007", None)),
        ("quant-ph/0210005v1", ("quant-ph/0210005", 1)),
        ("math.gt/0309136", ("math.GT/0309136", None)),
        ("  2501.01234 ", ("2501.01234", None)),
    ],
)
def test_parses_every_form(text, expected):
    assert tuple(parse_arxiv_id(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2501.1234",
        "1412.12345",
        "2513.01234",
        "hello",
        "2501.01234vx",
        "cs/98",
        "../etc/passwd",
    ],
)
def test_rejects_non_ids_with_the_text_in_the_message(text):
    with pytest.raises(InvalidArxivId, match="arXiv id"):
        parse_arxiv_id(text)


new_style = st.builds(
    lambda yy, mm, n, v: (
        f"{yy:02d}{mm:02d}.{n:05d}" if yy >= 15 else f"{yy:02d}{mm:02d}.{n % 10000:04d}",
        v,
    ),
    st.integers(7, 29),
    st.integers(1, 12),
    st.integers(0, 99999),
    st.one_of(st.none(), st.integers(1, 30)),
)


@given(new_style)
def test_round_trip_new_style(item):
    paper_id, version = item
    text = paper_id + (f"v{version}" if version else "")
    assert parse_arxiv_id(text) == (paper_id, version)
    assert parse_arxiv_id(f"https://arxiv.org/abs/{text}") == (paper_id, version)


@given(st.text(max_size=40))
def test_never_crashes_on_arbitrary_text(text):
    with contextlib.suppress(InvalidArxivId):
        assert parse_arxiv_id(text).id


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1501.0742", "1501.07420"),  # trailing zero lost (new style from 1501 has 5 digits)
        ("1912.1", "1912.10000"),
        ("704.0967", "0704.0967"),  # leading zero of the year lost
        (704.0967, "0704.0967"),
        ("1412.123", "1412.1230"),
        ("1501.07420", "1501.07420"),
        ("cs/9809007", "cs/9809007"),
        ("1501.074201", "1501.074201"),  # too long: left for parse_arxiv_id to reject
        (None, None),
    ],
)
def test_repair_numeric_id(value, expected):
    from paperfeed.papers.ids import repair_numeric_id

    assert repair_numeric_id(value) == expected


old_style = st.builds(
    lambda archive, subject, yy, mm, n: f"{archive}{subject}/{yy:02d}{mm:02d}{n:03d}",
    st.sampled_from(ARCHIVES),
    st.sampled_from(["", ".AG", ".GT", ".ZZ", ".AA", ".CL"]),
    st.integers(0, 99),
    st.integers(1, 12),
    st.integers(0, 999),
)


@given(st.one_of(new_style.map(lambda item: parse_arxiv_id(item[0]).id), old_style))
def test_every_stored_id_has_a_number_that_gives_it_back(paper_id):
    number = id_number(paper_id)
    assert number is not None and 0 < number < 2**64
    assert id_from_number(number) == paper_id
    assert parse_arxiv_id(paper_id).id == paper_id  # the ids the parser stores


@given(st.text(max_size=20))
def test_other_text_has_no_number_or_its_own(text):
    number = id_number(text)
    assert number is None or id_from_number(number) == text


def test_ids_without_a_number():
    assert id_number("nosuch-archive/9901001") is None  # not an arXiv archive
    assert id_number("2503.0001") is None and id_number("1412.99999") is None  # wrong width
    assert id_number("²²²².²²²²") is None and id_number("٢٥٠٣.٠٠٠٠١") is None  # digits, not ASCII
    assert id_from_number(0) is None and id_from_number(12345) is None

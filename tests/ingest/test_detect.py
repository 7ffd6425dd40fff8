import gzip
import lzma

import pytest

from paperfeed.ingest.readers import detect_format, open_input, parser_for
from paperfeed.ingest.records import PaperRecord, SourceError
from tests.conftest import shared_file
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

SAMPLES = {
    "arxiv-atom": atom_feed([atom_entry("2501.00001v1")]),
    "oai-pmh": oai_response([oai_record("1501.00001"), oai_deleted("1501.00002")]),
    "kaggle": kaggle_line(id="0704.0001") + kaggle_line(id="cs/9809007"),
    "hf-daily": hf_array([hf_entry("2501.00001")]),
    "jsonl": b'{"id": "2503.11731", "title": "T", "authors": ["A B"], "categories": ["cs.CV"], '
    b'"listed": "2025-03-18"}\n',
}
COMPRESSORS = {"plain": lambda data: data, "gz": gzip.compress, "xz": lzma.compress}


def detect_file(path) -> str:
    with open_input(str(path)) as stream:
        return detect_format(stream, str(path))


@pytest.mark.parametrize("compression", COMPRESSORS)
@pytest.mark.parametrize("fmt", SAMPLES)
def test_detects_each_format_plain_and_compressed(tmp_path, fmt, compression):
    path = tmp_path / f"input.{compression}"  # the name says nothing: content decides
    path.write_bytes(COMPRESSORS[compression](SAMPLES[fmt]))
    assert detect_file(path) == fmt


@pytest.mark.parametrize("compression", COMPRESSORS)
@pytest.mark.parametrize("fmt", SAMPLES)
def test_detected_format_parses_after_detection(tmp_path, fmt, compression):
    path = tmp_path / "input"
    path.write_bytes(COMPRESSORS[compression](SAMPLES[fmt]))
    with open_input(str(path)) as stream:
        items = list(parser_for(detect_format(stream, str(path)))(stream, str(path)))
    assert items and all(isinstance(i, PaperRecord) for i in items)
    assert items[0].source == fmt


def test_hf_json_lines_are_detected(tmp_path):
    path = tmp_path / "daily.jsonl"
    path.write_bytes(hf_lines([hf_entry("2501.00001"), hf_entry("2501.00002")]))
    assert detect_file(path) == "hf-daily"


@pytest.mark.parametrize(
    "parts, fmt",
    [
        (("fixtures", "arxiv-api", "query_all-science_10-entries.xml"), "arxiv-atom"),
        (("fixtures", "oai-pmh", "list-records.xml"), "oai-pmh"),
        (("fixtures", "oai-pmh", "list-identifiers.xml"), "oai-pmh"),
        (("data", "arxiv-cs-1998-2019.jsonl.gz"), "jsonl"),
    ],
)
def test_detects_the_shared_files(parts, fmt):
    assert detect_file(shared_file(*parts)) == fmt


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "the input is empty"),
        (b"\n\n  ", "the input is empty"),
        (b"<html><body>Retry after 10 seconds</body></html>", "neither an arXiv Atom feed"),
        (b"id,title\n1,x\n", "unknown format"),
    ],
)
def test_undetectable_inputs(tmp_path, data, message):
    path = tmp_path / "mystery"
    path.write_bytes(data)
    with pytest.raises(SourceError, match=message) as info:
        detect_file(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("fmt", SAMPLES)
def test_truncated_gzip_raises_the_decompressors_error(tmp_path, fmt):
    body = SAMPLES[fmt] * 100 if fmt in ("kaggle", "jsonl") else SAMPLES[fmt]
    compressed = gzip.compress(body + b" " * 100_000)  # long enough to be cut mid-stream
    path = tmp_path / "cut.gz"
    path.write_bytes(compressed[: len(compressed) // 2])
    with (
        pytest.raises(SourceError, match="gzip stream is truncated") as info,
        open_input(str(path)) as stream,
    ):
        list(parser_for(detect_format(stream, str(path)))(stream, str(path)))
    assert str(info.value).startswith(str(path))

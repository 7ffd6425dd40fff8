"""`paperfeed index` and `paperfeed search` end to end, in subprocesses on their own data dir."""

import json

import pytest

from tests.conftest import run_cli

PAPERS = [
    {
        "id": "2503.10001",
        "title": "Efficient KV Cache Eviction for Long-Context Inference",
        "abstract": "We evict entries from the KV cache. <script>alert('x')</script> Fast.",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "categories": ["cs.CL", "cs.LG"],
        "listed": "2025-03-20",
    },
    {
        "id": "2503.10002",
        "title": "Diffusion models for protein design",
        "abstract": "Protein backbones generated with diffusion.",
        "authors": ["Grace Hopper"],
        "categories": ["q-bio.BM"],
        "listed": "2025-04-02",
    },
    {
        "id": "2503.10003",
        "title": "Caching in distributed systems",
        "abstract": "A survey of cache consistency.",
        "authors": ["Alan Kay"],
        "categories": ["cs.DC"],
        "listed": "2025-05-01",
    },
]


def write_jsonl(path, objs):
    path.write_text("".join(json.dumps(o) + "\n" for o in objs))
    return path


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    base = tmp_path_factory.mktemp("cli")
    home = base / "home"
    assert run_cli("init", home=home).returncode == 0
    out = run_cli("ingest", str(write_jsonl(base / "p.jsonl", PAPERS)), home=home)
    assert out.returncode == 0, out.stderr
    assert b"search index: 3 indexed" in out.stdout
    return home


def search_json(home, *args):
    out = run_cli("search", *args, "--json", home=home)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_json_shape_and_order(home):
    rows = search_json(home, "kv cache", "--mode", "lexical")
    assert [r["id"] for r in rows][:1] == ["2503.10001"]
    first = rows[0]
    assert first["title"] == PAPERS[0]["title"]
    assert first["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert first["categories"] == ["cs.CL", "cs.LG"] and first["day"] == "2025-03-20"
    assert (
        isinstance(first["score"], float) and first["score"] > rows[-1]["score"] or len(rows) == 1
    )
    assert first["why"][0] == "title matches “KV”, “Cache”"
    assert "&lt;script&gt;" in first["snippets"]["abstract"]
    assert "<mark>KV</mark>" in first["snippets"]["abstract"]


def test_filters_sort_and_paging_options(home):
    ids = [
        r["id"]
        for r in search_json(home, "cache OR protein", "--mode", "lexical", "--sort", "newest")
    ]
    assert ids == ["2503.10003", "2503.10002", "2503.10001"]
    assert [
        r["id"]
        for r in search_json(
            home,
            "cache OR protein",
            "--mode",
            "lexical",
            "--sort",
            "newest",
            "--limit",
            "1",
            "--offset",
            "1",
        )
    ] == ["2503.10002"]
    assert [
        r["id"]
        for r in search_json(
            home, "cache", "--mode", "lexical", "--category", "cs", "--since", "2025-04-01"
        )
    ] == ["2503.10003"]
    assert [
        r["id"] for r in search_json(home, "cache", "--mode", "lexical", "--author", "lovel")
    ] == ["2503.10001"]


def test_empty_query_is_an_empty_array(home):
    assert search_json(home, "   ", "--mode", "lexical") == []


def test_readable_output(home):
    out = run_cli("search", "protein", "--mode", "lexical", home=home)
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    assert "1. 2503.10002  Diffusion models for protein design" in text
    assert "why: title matches “protein”" in text
    assert "<mark>" not in text and "q-bio.BM" in text


def test_index_status_and_sync(home):
    out = run_cli("index", "--status", "--json", home=home)
    status = json.loads(out.stdout)
    assert (status["papers_in_db"], status["papers_in_index"], status["generation"]) == (3, 3, 1)
    out = run_cli("index", home=home)
    assert out.returncode == 0 and b"0 indexed, 0 removed, 3 papers" in out.stdout


def test_search_without_an_index_explains_what_to_do(tmp_path):
    home = tmp_path / "fresh"
    assert run_cli("init", home=home).returncode == 0
    src = write_jsonl(tmp_path / "one.jsonl", PAPERS[:1])
    assert run_cli("ingest", str(src), "--no-index", home=home).returncode == 0
    out = run_cli("search", "cache", "--mode", "lexical", home=home)
    assert out.returncode == 1
    assert "paperfeed index --rebuild" in out.stderr.decode()
    assert b"Traceback" not in out.stderr
    assert run_cli("index", "--rebuild", home=home).returncode == 0
    assert [r["id"] for r in search_json(home, "cache", "--mode", "lexical")] == ["2503.10001"]

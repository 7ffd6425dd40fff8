"""Shared data for the API tests: a handful of papers over a few days, users, a token."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from huggingface_hub import HfApi
from huggingface_hub.utils import close_session

from paperfeed.ingest.jsonl import parse as parse_jsonl
from paperfeed.ingest.upsert import ingest
from tests.community.conftest import arxiv  # noqa: F401 - the local arXiv query API fixture

DAY = "2025-03-18"
NEXT_DAY = "2025-03-19"

PAPERS = [
    {
        "id": "2503.00001",
        "title": "KV Cache Compression for Long-Context LLMs",
        "abstract": "We compress the key-value cache. <script>alert(1)</script>",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "categories": ["cs.CL", "cs.LG"],
        "listed": DAY,
        "published": "2025-03-14",
    },
    {
        "id": "2503.00002",
        "title": "Retrieval with a small cache of keys",
        "abstract": "Retrieval augmented generation with a key cache.",
        "authors": ["Grace Hopper"],
        "categories": ["cs.IR"],
        "listed": DAY,
    },
    {
        "id": "2503.00003",
        "title": "Graph neural networks for molecules",
        "abstract": "Message passing on molecular graphs predicts properties.",
        "authors": ["Marie Curie", "Alan Turing"],
        "categories": ["cs.LG"],
        "listed": DAY,
    },
    {
        "id": "2503.00004",
        "title": "Quantum error correction decoders",
        "abstract": "Surface codes and their decoders.",
        "authors": ["Richard Feynman"],
        "categories": ["quant-ph"],
        "listed": NEXT_DAY,
    },
    {
        "id": "cs/9809007",
        "title": "Compression of inverted files",
        "abstract": "Huffman coding of inverted files for text retrieval.",
        "authors": ["Alistair Moffat"],
        "categories": ["cs.DS"],
        "listed": "1998-09-30",
    },
]


def store(*objs: dict):
    data = "".join(json.dumps(o) + "\n" for o in objs).encode()
    return ingest(parse_jsonl(io.BytesIO(data), "api-test.jsonl"))


@pytest.fixture
def papers(db):
    store(*PAPERS)
    return [p["id"] for p in PAPERS]


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user(
        "alice",
        "alice@example.org",
        "correct horse battery",
        first_name="Ada",
        last_name="Lovelace",
    )


@pytest.fixture
def bob(db):
    return get_user_model().objects.create_user("bob", "bob@example.org", "another secret pw")


@pytest.fixture
def alice_token(alice):
    from paperfeed.accounts.tokens import create_token

    return create_token(alice, "api tests")


@pytest.fixture
def alice_api(client, alice_token):
    """The test client sending alice's Bearer token with every request."""
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {alice_token}"
    return client


@pytest.fixture
def hf_client(live_server):
    """HF's client pointed at the live server; its pooled connections closed afterwards (an
    idle keep-alive connection would otherwise outlive the server thread)."""
    yield HfApi(endpoint=live_server.url, token=False)
    close_session()

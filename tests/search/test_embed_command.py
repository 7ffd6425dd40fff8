"""paperfeed embed end to end: compute, skip what is done, export, refuse another model, import."""

import json

import numpy as np
import pytest

from tests.conftest import run_cli
from tests.search.test_encoders import MODEL, paper


@pytest.mark.slow
def test_embed_command_end_to_end(tmp_path):
    home = tmp_path / "home"
    env = {"PAPERFEED_EMBEDDING_MODEL": MODEL}
    source = tmp_path / "papers.jsonl"
    source.write_text("".join(json.dumps(paper(i)) + "\n" for i in range(1, 4)))
    assert run_cli("init", home=home).returncode == 0
    assert run_cli("ingest", str(source), home=home).returncode == 0
    out = run_cli("embed", "--device", "cpu", home=home, env=env)
    assert out.returncode == 0, out.stderr.decode()
    assert b"embedded 3 papers with hashing:32 (" in out.stdout
    assert b"vector index: 3 added, 0 removed, 3 in all" in out.stdout
    again = run_cli("embed", home=home, env=env)
    assert b"every paper has an up-to-date embedding" in again.stdout
    vectors, ids = tmp_path / "v.npy", tmp_path / "ids.txt"
    out = run_cli("embed", "--export", str(vectors), "--ids", str(ids), home=home, env=env)
    assert out.returncode == 0 and np.load(vectors).shape == (3, 32)
    out = run_cli("embed", home=home, env={"PAPERFEED_EMBEDDING_MODEL": "hashing:16"})
    assert out.returncode == 1 and b"--reembed" in out.stderr
    ids.write_text("2503.00001\n")
    out = run_cli("embed", "--import", str(vectors), "--ids", str(ids), home=home, env=env)
    assert out.returncode == 1 and b"has 3 rows but" in out.stderr

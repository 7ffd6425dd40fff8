"""paperfeed.search, the one search surface: its names, and that importing it stays cheap."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import paperfeed.search
from paperfeed.search import hits, hybrid, lexical, more_like, results, suggestions
from tests.conftest import cli_env

HEAVY = ("torch", "sentence_transformers", "transformers")
"""What only a process that embeds text may load (the encoder imports them on first use)."""


def test_every_name_is_its_home_modules_own():
    homes = {
        "hits": hits,
        "hybrid": hybrid,
        "lexical": lexical,
        "more_like": more_like,
        "results": results,
        "suggestions": suggestions,
    }
    for name in paperfeed.search.__all__:
        home = homes[paperfeed.search._HOME[name]]
        assert getattr(paperfeed.search, name) is getattr(home, name), name
    assert set(paperfeed.search._HOME) == set(paperfeed.search.__all__)
    assert set(paperfeed.search.__all__) <= set(dir(paperfeed.search))


def test_an_unknown_name_is_an_attribute_error_and_submodules_still_import():
    with pytest.raises(AttributeError, match="paperfeed.search.*no attribute 'serch'"):
        paperfeed.search.serch  # noqa: B018
    from paperfeed.search import query  # the import under test: a submodule, not a name

    assert query.parse("kv cache").words


SCRIPT = """
import json, sys
import paperfeed.search
bare = sorted(sys.modules)
import django
django.setup()
from paperfeed.search import *  # every exported name, as a web process imports them
names = [name for name in paperfeed.search.__all__ if name in globals()]
print(json.dumps({"bare": bare, "ready": sorted(sys.modules), "names": names}))
"""


def test_importing_it_loads_no_model_library(tmp_path):
    """In a fresh process: the package alone imports nothing heavy (not even tantivy: Django
    imports the app before models can be); every exported name, after setup, no torch."""
    env = {**cli_env(tmp_path), "DJANGO_SETTINGS_MODULE": "paperfeed.settings"}
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    loaded = json.loads(run.stdout.splitlines()[-1])
    assert loaded["names"] == paperfeed.search.__all__
    assert not {"tantivy", "django.db.models", *HEAVY} & set(loaded["bare"])
    assert "paperfeed.search.hybrid" in loaded["ready"]
    assert not set(HEAVY) & set(loaded["ready"])

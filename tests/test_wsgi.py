"""The WSGI entry point (paperfeed.wsgi) gives each web process one BLAS thread unless told
otherwise (the for-you order's benchmark: OpenBLAS's idle threads slow busy cores down)."""

from __future__ import annotations

import os
import subprocess
import sys

CHECK = "import paperfeed.wsgi, os; print(os.environ['OPENBLAS_NUM_THREADS'])"


def run(env: dict[str, str]) -> str:
    return subprocess.run(
        [sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_one_blas_thread_by_default_and_an_explicit_setting_wins(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    env["PAPERFEED_HOME"] = str(tmp_path)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    assert run(env) == "1"
    assert run({**env, "OPENBLAS_NUM_THREADS": "4"}) == "4"

"""scripts/quickstart.sh (README's first command) says which step it is on and how long each took."""

import os
import re
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "quickstart.sh"


def dry_run(*files: str, **env: str) -> list[str]:
    done = subprocess.run(
        ["bash", str(SCRIPT), *files],
        env={**os.environ, "QUICKSTART_DRY_RUN": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.splitlines()


def test_the_script_parses():
    assert subprocess.run(["bash", "-n", str(SCRIPT)], timeout=60).returncode == 0


def test_every_step_is_numbered_and_timed_and_nothing_runs_in_a_dry_run(tmp_path):
    lines = dry_run(str(tmp_path / "papers.jsonl.gz"))
    steps = [line for line in lines if re.match(r"\[\d/\d\] ", line)]
    assert [s[:5] for s in steps] == [f"[{n}/6]" for n in range(1, 7)], lines
    assert any("build the search indexes" in s for s in steps)
    assert sum(bool(re.fullmatch(r" +\(\d+ s\)", line)) for line in lines) == 6, lines
    commands = [line.strip() for line in lines if line.strip().startswith("$ ")]
    assert "$ pip install -e ." in commands and "$ paperfeed index" in commands, commands
    assert lines[-1].strip() == "$ paperfeed serve --port 8000"
    assert not (tmp_path / "papers.jsonl.gz").exists()


def test_pip_is_not_quiet():
    text = SCRIPT.read_text()
    assert "--quiet" not in text and "pip_install -e ." in text

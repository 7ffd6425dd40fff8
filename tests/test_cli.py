import os
import subprocess
import sys

import pytest

from paperfeed import cli, config
from tests.conftest import run_cli


def test_help_lists_commands_and_every_command_has_help(tmp_path, capsys):
    out = run_cli("--help", home=tmp_path)
    assert out.returncode == 0
    text = out.stdout.decode()
    names = [
        line.split()[0]
        for line in text.split("commands:")[1].splitlines()
        if line.startswith("  ") and not line.strip().startswith("manage")
    ]
    assert {"init", "ingest", "stats"} <= set(names)
    assert run_cli("stats", "--help", home=tmp_path).stdout.startswith(b"usage: paperfeed stats")
    for name in names:  # in this process: one subprocess per command costs ~1 s each
        with pytest.raises(SystemExit) as done:
            cli.main([name, "--help"])
        assert done.value.code in (0, None), name
        shown = capsys.readouterr().out
        assert shown.startswith(f"usage: paperfeed {name}"), name
        assert len(shown) > 200, name


def test_unknown_command_is_a_usage_error(tmp_path):
    out = run_cli("frobnicate", home=tmp_path)
    assert out.returncode == 2
    assert b"unknown command 'frobnicate'" in out.stderr


def test_production_mode_refuses_insecure_settings_naming_each(tmp_path):
    env = {
        **os.environ,
        "PAPERFEED_HOME": str(tmp_path),
        "PAPERFEED_PRODUCTION": "1",
        "PAPERFEED_DEBUG": "1",
        "SECRET_KEY": "",
    }
    env.pop("PAPERFEED_ALLOWED_HOSTS", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run([sys.executable, "-m", "paperfeed", "stats"], env=env, capture_output=True)
    assert out.returncode == 2
    err = out.stderr.decode()
    for name in ("PAPERFEED_DEBUG", "SECRET_KEY", "PAPERFEED_ALLOWED_HOSTS"):
        assert name in err


RANDOM_KEY = "sJCr-Gzxsr64a6K3bwF7qT0_vLmN8pXyZ2hD9eUcW5oRkA1iBt"  # secrets.token_urlsafe(37)


def test_production_problems_accepts_a_safe_configuration(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", RANDOM_KEY)
    monkeypatch.setenv("PAPERFEED_ALLOWED_HOSTS", "papers.example.org")
    assert (
        config.production_problems(
            debug=False, secret=RANDOM_KEY, allowed_hosts=["papers.example.org"]
        )
        == []
    )
    assert config.production_problems(
        debug=False, secret="django-insecure-" + "x" * 40, allowed_hosts=["papers.example.org"]
    )


@pytest.mark.parametrize(
    "key, why",
    [
        (
            "change-me-to-a-long-random-string-of-50-characters",
            "placeholder",
        ),  # deploy.md's old sample
        ("my-super-secret-key-for-production-2026!", "placeholder"),
        ("x" * 50, "repeats itself"),
        ("abcdefghij" * 5, "repeats itself"),
        ("django-insecure-" + RANDOM_KEY, "generated default"),
        (RANDOM_KEY[:20], "too short"),
        ("aabbaabbaabbbaaabaaaababbbbbbaba", "too predictable"),
    ],
)
def test_production_refuses_a_weak_or_placeholder_secret_key(monkeypatch, key, why):
    monkeypatch.setenv("SECRET_KEY", key)
    monkeypatch.setenv("PAPERFEED_ALLOWED_HOSTS", "papers.example.org")
    problems = config.production_problems(
        debug=False, secret=key, allowed_hosts=["papers.example.org"]
    )
    assert len(problems) == 1 and problems[0].startswith("SECRET_KEY ")
    assert why in problems[0] and "secrets.token_urlsafe" in problems[0]


def test_random_keys_of_every_usual_form_pass():
    import secrets

    for _ in range(200):
        for key in (secrets.token_urlsafe(50), secrets.token_hex(16), secrets.token_hex(32)):
            assert config.secret_weakness(key) is None, key


def test_every_setting_has_help():
    for setting in config.SETTINGS:
        assert setting.help.strip(), setting.name


@pytest.mark.parametrize("value, expected", [("1", True), ("yes", True), ("0", False), ("", False)])
def test_boolean_settings(monkeypatch, value, expected):
    monkeypatch.setenv("PAPERFEED_DEBUG", value)
    assert config.get_bool("PAPERFEED_DEBUG") is expected


def test_bad_boolean_names_the_setting(monkeypatch):
    monkeypatch.setenv("PAPERFEED_DEBUG", "maybe")
    with pytest.raises(config.ConfigError, match="PAPERFEED_DEBUG"):
        config.get_bool("PAPERFEED_DEBUG")


def test_a_command_on_a_database_never_initialised_says_run_init(tmp_path):
    result = run_cli("stats", home=tmp_path)
    assert result.returncode == 2
    assert b"Run `paperfeed init` first" in result.stderr and b"Traceback" not in result.stderr


def test_the_missing_schema_hint_is_not_given_for_other_errors():
    from django.db.utils import OperationalError

    from paperfeed.cli import _missing_schema

    assert _missing_schema(OperationalError("no such table: papers_paper"))
    assert _missing_schema(OperationalError('relation "papers_paper" does not exist'))
    assert _missing_schema(OperationalError("column papers_paper.hidden does not exist"))
    assert not _missing_schema(OperationalError('database "paperfeed" does not exist'))
    assert not _missing_schema(OperationalError("connection refused"))


def test_a_bad_number_setting_is_named_instead_of_a_traceback(tmp_path):
    result = run_cli("stats", home=tmp_path, env={"PAPERFEED_HARVEST_DELAY": "soon"})
    assert result.returncode == 2
    assert b"PAPERFEED_HARVEST_DELAY='soon' is not a number" in result.stderr
    assert b"Traceback" not in result.stderr

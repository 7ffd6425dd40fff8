"""paperfeed settings: every declared setting with its value (the secret hidden) and its help."""

from __future__ import annotations

import io

from django.core.management import call_command

from paperfeed import config


def _listing() -> list[str]:
    out = io.StringIO()
    call_command("settings", stdout=out)
    return out.getvalue().splitlines()


def test_every_setting_is_listed_with_its_help():
    lines = _listing()
    assert len(lines) == 2 * len(config.SETTINGS)
    pairs = zip(lines[::2], lines[1::2], strict=True)
    for setting, (value_line, help_line) in zip(config.SETTINGS, pairs, strict=True):
        assert value_line.startswith(f"{setting.name}=")
        assert help_line == f"    {setting.help}"


def test_values_come_from_the_environment_and_the_secret_is_hidden(monkeypatch):
    monkeypatch.setenv("PAPERFEED_HARVEST_DELAY", "7")
    monkeypatch.setenv("SECRET_KEY", "s3cret-value-that-must-not-be-printed")
    lines = _listing()
    assert "PAPERFEED_HARVEST_DELAY=7" in lines
    assert "SECRET_KEY=(set)" in lines
    assert not any("s3cret" in line for line in lines)

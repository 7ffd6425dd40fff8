"""paperfeed init: idempotent, makes the secret key once."""

from tests.conftest import run_cli


def test_init_is_idempotent_and_makes_a_secret_key_once(tmp_path):
    home = tmp_path / "h"
    env = {"SECRET_KEY": ""}
    assert run_cli("init", home=home, env=env).returncode == 0
    key = (home / "secret_key").read_text()
    assert run_cli("init", home=home, env=env).returncode == 0
    assert (home / "secret_key").read_text() == key
    assert oct((home / "secret_key").stat().st_mode & 0o777) == "0o600"

"""paperfeed index: exit 3 while another process writes the index, unless told to wait."""

import fcntl
import subprocess
import time

from tests.conftest import CLI, cli_env, run_cli


def test_index_exits_3_while_another_writer_holds_the_lock_unless_told_to_wait(tmp_path):
    home = tmp_path / "home"
    assert run_cli("init", home=home).returncode == 0
    lock_path = home / "index" / "lexical.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # another writer of this node
        busy = run_cli("index", home=home)
        assert busy.returncode == 3 and b"another process is writing" in busy.stderr
        waiting = subprocess.Popen(
            [*CLI, "index", "--wait", "120"], env=cli_env(home), stderr=subprocess.PIPE
        )
        time.sleep(busy_seconds := 6)
        assert waiting.poll() is None, f"gave up within {busy_seconds} s instead of waiting"
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        assert waiting.wait(timeout=120) == 0, waiting.stderr.read().decode()

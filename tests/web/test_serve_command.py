"""`paperfeed serve`: gunicorn answers pages and whitenoise serves static files."""

import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import CLI, cli_env, free_port, run_cli


def wait_for(url: str, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except (urllib.error.URLError, ConnectionError, TimeoutError):  # a slow first answer
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.mark.slow
def test_serve_answers_pages_and_static_files(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", "1"],
        env=cli_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/") == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/web/style.css") as response:
            assert response.status == 200 and b"--accent" in response.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/about") as response:
            assert b"Hacker News" in response.read()
        assert (home / "static" / "web" / "htmx.min.js").exists()  # collectstatic ran
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode(errors="replace")
    assert "serving on http://127.0.0.1:" in output
    assert server.returncode == 0, output[-2000:]


def test_serve_refuses_a_bad_port(tmp_path):
    result = run_cli("serve", "--port", "70000", home=tmp_path)
    assert result.returncode != 0 and b"--port must be between 1 and 65535" in result.stderr


def test_static_files_are_collected_again_only_when_a_source_changed(
    settings, tmp_path, monkeypatch
):
    from paperfeed.web.management.commands import serve

    settings.STATIC_ROOT = str(tmp_path / "static")
    fingerprint = "one"
    monkeypatch.setattr(serve, "_sources_fingerprint", lambda: fingerprint)
    assert serve.collect_static() is True
    assert (tmp_path / "static" / "web" / "style.css").exists()
    assert serve.collect_static() is False  # nothing changed: no 10 s of compression
    fingerprint = "two"
    assert serve.collect_static() is True


def test_the_fingerprint_follows_the_static_sources(settings, tmp_path):
    from paperfeed.web.management.commands import serve

    extra = tmp_path / "extra"
    extra.mkdir()
    settings.STATICFILES_DIRS = [str(extra)]
    before = serve._sources_fingerprint()
    (extra / "new.css").write_text("body {}")
    assert serve._sources_fingerprint() != before


def test_serve_refuses_a_bad_read_timeout(tmp_path):
    result = run_cli("serve", "--read-timeout", "0", home=tmp_path)
    assert result.returncode != 0 and b"--read-timeout must be between 0 and 86400" in result.stderr


@pytest.mark.django_db
def test_serve_runs_the_buffering_worker_and_says_when_it_faces_the_network(monkeypatch):
    """The gunicorn command line (exec'd, here captured): paperfeed's worker, one thread,
    --read-timeout passed on; a non-loopback --host gets a note about floods and proxies."""
    import io

    from django.core.management import call_command

    from paperfeed.web import server
    from paperfeed.web.management.commands import serve

    monkeypatch.setattr(serve, "call_command", lambda *args, **kwargs: None)  # migrate
    monkeypatch.setattr(serve, "collect_static", lambda: False)
    monkeypatch.setenv(server.READ_TIMEOUT_ENV, "")  # restored after the test
    execs = []
    monkeypatch.setattr(serve.os, "execv", lambda path, argv: execs.append(argv))
    for host in ("127.0.0.1", "0.0.0.0"):
        err = io.StringIO()
        call_command(
            "serve", "--host", host, "--read-timeout", "7", stdout=io.StringIO(), stderr=err
        )
        assert ("without a proxy" in err.getvalue()) == (host == "0.0.0.0")
    argv = execs[-1]
    assert argv[argv.index("--worker-class") + 1] == "paperfeed.web.server.BufferingThreadWorker"
    assert argv[argv.index("--threads") + 1] == "1"
    # the app, the query encoder and the templates loaded once before the fork (warmup.preload)
    assert "paperfeed.web.serve_app:application" in argv and "--preload" in argv
    assert serve.os.environ[server.READ_TIMEOUT_ENV] == "7.0"

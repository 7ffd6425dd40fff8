"""`paperfeed serve` against slow clients (paperfeed/web/server.py): slowloris connections and
clients that never close do not stop an ordinary request from being answered, and a request
that is not sent within --read-timeout is dropped. Functional, not timed: the numbers are in
docs/benchmarks.md (benchmarks/bench_slowloris.py)."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest

from paperfeed.web import server
from tests.conftest import CLI, cli_env, free_port
from tests.web.test_serve_command import wait_for

SLOW = 50


def test_a_request_is_complete_once_its_head_and_announced_body_are_in():
    head = b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"
    assert server.request_length(head[:-2]) is None  # the head is not over
    assert server.request_length(head) == len(head) + 5  # wait for the body too
    assert server.request_length(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n") == 27
    chunked = b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert server.request_length(chunked) == len(chunked)  # length unknown: the thread reads it
    expect = b"POST /x HTTP/1.1\r\ncontent-length: 9\r\nExpect: 100-continue\r\n\r\n"
    assert server.request_length(expect) == len(expect)  # the client waits for "100 Continue"
    huge = b"POST /x HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % (server.BODY_LIMIT + 1)
    assert server.request_length(huge) == len(huge)


@pytest.fixture
def served(tmp_path):
    """`paperfeed serve` with one worker process and a 3 s read timeout; its URL."""
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", "1", "--read-timeout", "3"],
        env=cli_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/healthz") == 200
        yield port
    finally:
        process.terminate()
        process.wait(30)


def _get(port: int, path: str = "/") -> bytes:
    """An ordinary request on a new connection; the whole answer (generous timeout: the test is
    about being answered at all, which the old sync worker never did)."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.slow
def test_an_ordinary_request_is_answered_while_slow_clients_hold_connections(served):
    slow = []
    try:
        for _ in range(SLOW):
            sock = socket.create_connection(("127.0.0.1", served), timeout=10)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")  # never finished
            slow.append(sock)
        sock.sendall(b"a")  # one more byte, as slowloris sends them
        assert _get(served).startswith(b"HTTP/1.1 200 ")
        # a request not sent within --read-timeout (3 s) is dropped: the server closes it
        deadline = time.monotonic() + 60
        for sock in slow:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            assert sock.recv(1024) == b""
    finally:
        for sock in slow:
            sock.close()


@pytest.mark.slow
def test_clients_that_never_close_do_not_stall_the_others(served):
    """After a `Connection: close` answer the server waits for the client to close too; a client
    that never does must not hold up the worker (gthread did that wait on its only loop)."""
    idle = []
    try:
        for _ in range(SLOW):
            sock = socket.create_connection(("127.0.0.1", served), timeout=10)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            idle.append(sock)
        assert _get(served, "/healthz").startswith(b"HTTP/1.1 200 ")
    finally:
        for sock in idle:
            sock.close()


@pytest.mark.slow
def test_a_request_head_past_the_limit_is_refused(served):
    with socket.create_connection(("127.0.0.1", served), timeout=30) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
        try:
            for _ in range(server.HEAD_LIMIT // 1000 + 2):
                sock.sendall(b"X-Long: " + b"a" * 990 + b"\r\n")
        except OSError:
            pass  # the server answered and closed while we were still sending
        assert sock.recv(1024).startswith(b"HTTP/1.1 431 ")

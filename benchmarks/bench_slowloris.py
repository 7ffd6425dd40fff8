"""Does `paperfeed serve` still answer while slow clients (slowloris) hold connections open?

Starts `paperfeed serve` on a fresh SQLite data directory (or attacks ``--url``), opens
``--slow`` connections that each send a request head one byte every ``--interval`` seconds and
never finish it (``--mode headers``; ``--mode body`` sends a whole head announcing a 1,000-byte
POST body and trickles the body instead; ``--mode unclosed`` sends a whole request and never
closes the connection after the answer), each connecting again when the server drops it, then sends one ordinary ``GET --path`` a second for
``--duration`` seconds and reports how fast those were answered, and how many of the slow
connections the server closed. The ordinary requests have ``--timeout`` seconds each; one that
is not answered by then counts as failed.

    nice python benchmarks/bench_slowloris.py [--slow 200] [--interval 5] [--duration 60]
        [--mode headers|body] [--path /] [--serve-args "--workers 2"] [--url http://HOST:PORT]

To measure another version (the "before" of docs/benchmarks.md), run this same script with
``PYTHONPATH`` naming that version's ``src``: the server it starts is ``python -m paperfeed``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class SlowStats:
    opened: int = 0  # connections, reconnections included
    refused: int = 0
    closed_by_server: int = 0


@dataclass
class ProbeStats:
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(serve_args: list[str], home: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PAPERFEED_HOME": home, "DATABASE_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "paperfeed", "serve", "--port", str(port), *serve_args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5):
                return server, url
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline or server.poll() is not None:
                server.terminate()
                raise SystemExit(f"paperfeed serve did not answer on {url}") from None
            time.sleep(0.3)


async def slow_client(host, port, mode, interval, stop, stats: SlowStats) -> None:
    """One slow client: a connection that sends its request a byte every ``interval`` s and
    never ends it; when the server lets go, it connects again (as slowloris tools do)."""
    while not stop.is_set():
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
        except (TimeoutError, OSError):
            stats.refused += 1
            await asyncio.sleep(interval)
            continue
        stats.opened += 1
        if mode == "headers":
            writer.write(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            trickle = itertools.cycle(b"X-Slow: a\r\n")  # header lines, never the blank line
        elif mode == "unclosed":  # a whole request, then the connection is left open
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            trickle = None
            await asyncio.sleep(interval)
        else:
            writer.write(
                b"POST /subscribe HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
            )
            trickle = itertools.cycle(b"a=b&")  # 1,000 bytes take longer than any run
        try:
            await writer.drain()
            while not stop.is_set():
                try:
                    if not await asyncio.wait_for(reader.read(1024), interval):
                        stats.closed_by_server += 1  # end of file: the server let go
                        break
                except TimeoutError:
                    pass
                if trickle is not None:
                    writer.write(bytes([next(trickle)]))
                    await writer.drain()
        except OSError:
            stats.closed_by_server += 1
        finally:
            writer.close()


async def probe(host, port, path, timeout, stats: ProbeStats) -> None:
    """One ordinary request on a new connection; its time to the whole answer."""
    start = time.perf_counter()
    request = f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(request.encode())
            await writer.drain()
            answer = await reader.read()
            writer.close()
    except (OSError, TimeoutError) as exc:
        stats.failures.append(type(exc).__name__)
        return
    status = answer.split(b" ", 2)[1:2]
    if status != [b"200"]:
        stats.failures.append(f"status {status[0].decode() if status else 'none'}")
        return
    stats.latencies.append(time.perf_counter() - start)


async def attack(url, args) -> tuple[SlowStats, ProbeStats, ProbeStats]:
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port or 80
    for _ in range(20):  # the workers' first requests load what they keep (not counted)
        await probe(host, port, args.path, args.timeout, ProbeStats())
    before = ProbeStats()
    for _ in range(10):
        await probe(host, port, args.path, args.timeout, before)
    stop = asyncio.Event()
    slow = SlowStats()
    clients = []
    for _ in range(args.slow):
        clients.append(
            asyncio.create_task(slow_client(host, port, args.mode, args.interval, stop, slow))
        )
        await asyncio.sleep(0.005)
    await asyncio.sleep(min(args.interval, 5))  # every slow client is in the middle of its head
    during = ProbeStats()
    end = time.monotonic() + args.duration
    while time.monotonic() < end:
        tick = time.monotonic()
        await probe(host, port, args.path, args.timeout, during)
        await asyncio.sleep(max(0.0, 1 - (time.monotonic() - tick)))
    stop.set()
    await asyncio.gather(*clients, return_exceptions=True)
    return slow, before, during


def summary(stats: ProbeStats) -> str:
    n = len(stats.latencies) + len(stats.failures)
    if not stats.latencies:
        return f"0/{n} answered ({', '.join(sorted(set(stats.failures)))})"
    ms = sorted(x * 1000 for x in stats.latencies)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    failed = f", failed: {', '.join(sorted(set(stats.failures)))}" if stats.failures else ""
    return (
        f"{len(ms)}/{n} answered; p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, "
        f"max {ms[-1]:.0f} ms{failed}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="attack this server instead of starting one")
    parser.add_argument("--slow", type=int, default=200, help="slow connections (default 200)")
    parser.add_argument("--interval", type=float, default=5, help="seconds between their bytes")
    parser.add_argument("--duration", type=float, default=60, help="seconds of ordinary requests")
    parser.add_argument("--mode", choices=["headers", "body", "unclosed"], default="headers")
    parser.add_argument("--path", default="/", help="what the ordinary requests ask for")
    parser.add_argument(
        "--timeout", type=float, default=10, help="seconds for one ordinary request"
    )
    parser.add_argument("--serve-args", default="", help="options for paperfeed serve")
    args = parser.parse_args()
    server = None
    with tempfile.TemporaryDirectory(prefix="slowloris-") as home:
        url = args.url
        if url is None:
            server, url = start_server(shlex.split(args.serve_args), home)
        try:
            slow, before, during = asyncio.run(attack(url, args))
        finally:
            if server is not None:
                server.terminate()
                server.wait(30)
    print(f"server: {url} paperfeed serve {args.serve_args}".rstrip())
    print(
        f"{args.slow} slow clients ({args.mode}, a byte every {args.interval:g} s, reconnecting "
        f"when dropped): {slow.opened} connections, {slow.closed_by_server} closed by the server, "
        f"{slow.refused} connection attempts not accepted in 10 s"
    )
    print(f"GET {args.path} before the attack: {summary(before)}")
    print(f"GET {args.path} during the attack ({args.duration:g} s): {summary(during)}")


if __name__ == "__main__":
    main()

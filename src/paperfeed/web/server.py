"""The gunicorn worker of ``paperfeed serve``: slow clients cost a buffer, not a thread.

gunicorn's sync worker serves one connection at a time, and its gthread worker hands a connection
to a thread as soon as the first byte of a request arrives; either way a client that sends its
request a byte every few seconds (slowloris) holds a worker or a thread as long as it likes, and
a handful (sync) or a few hundred (gthread) such clients stop the site (benchmarks/
bench_slowloris.py, docs/benchmarks.md). nginx in front buffers whole requests, so the app never
sees them; ``paperfeed serve`` on its own does what nginx does here:

- the worker's event loop (gthread's poller, which already holds kept-alive connections) reads
  each request's head, and a body of announced length up to :data:`BODY_LIMIT`, without blocking;
- a connection that has not sent them within ``read_timeout`` seconds of its first wait is
  closed, one whose head grows past :data:`HEAD_LIMIT` gets a 431;
- only complete requests reach the thread pool: the bytes read are put back in front of gunicorn's
  parser, which parses them as if it had read them from the socket;
- the thread reads the rest of a longer body and writes the answer with ``read_timeout`` seconds
  per socket call, so a client that stops reading lets go of the thread too.

Each connection still counts against gunicorn's ``worker_connections`` (1,000 a worker): holding
more connections than that at once is a flood for a proxy or firewall to limit (docs/deploy.md).
The read timeout comes from ``paperfeed serve --read-timeout`` through :data:`READ_TIMEOUT_ENV`.
"""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import socket
import time
from functools import partial

from gunicorn import http
from gunicorn.workers.gthread import ThreadWorker

READ_TIMEOUT_ENV = "PAPERFEED_SERVE_READ_TIMEOUT"
"""Environment variable through which ``paperfeed serve`` passes ``--read-timeout`` (seconds)."""
DEFAULT_READ_TIMEOUT = 20.0
HEAD_LIMIT = 64 * 1024
"""A request head (request line and headers) longer than this is answered 431 and closed."""
BODY_LIMIT = 2_621_440
"""Bodies of announced length up to this (Django's DATA_UPLOAD_MAX_MEMORY_SIZE) are read before
the request reaches a thread; longer or chunked ones are read by the thread, per call timed."""

LINGER = 2.0
"""Seconds a closed answer waits for the client to close its side (gthread's own figure)."""

_END_OF_HEAD = b"\r\n\r\n"
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d{1,15})[ \t]*\r\n", re.IGNORECASE)
_UNKNOWN_LENGTH = re.compile(
    rb"\r\n(?:transfer-encoding:|expect:[ \t]*100-continue)", re.IGNORECASE
)
_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n"
    b"Content-Type: text/plain\r\nContent-Length: 31\r\n\r\nRequest header fields too large"
)


def request_length(buffered: bytes) -> int | None:
    """How many bytes of ``buffered`` make a request to read before it goes to a thread: the head,
    plus the body when its length is announced and at most BODY_LIMIT. None while the head is
    not complete. (A body the client will only send after ``100 Continue``, or whose length is
    unknown, is left to the thread.)"""
    end = buffered.find(_END_OF_HEAD)
    if end < 0:
        return None
    head = buffered[: end + 2]
    needed = end + len(_END_OF_HEAD)
    if _UNKNOWN_LENGTH.search(head):
        return needed
    length = _CONTENT_LENGTH.search(head)
    if length is None or int(length.group(1)) > BODY_LIMIT:
        return needed
    return needed + int(length.group(1))


def read_timeout() -> float:
    try:
        value = float(os.environ.get(READ_TIMEOUT_ENV, DEFAULT_READ_TIMEOUT))
    except ValueError:
        return DEFAULT_READ_TIMEOUT
    return value if value > 0 else DEFAULT_READ_TIMEOUT


class BufferingThreadWorker(ThreadWorker):
    """gthread whose poller reads whole requests before a thread takes them, and closes finished
    connections itself (module docstring)."""

    def init_process(self):
        self.read_timeout = read_timeout()
        self.buffers: dict = {}  # conn -> the bytes of its request read so far
        # conn -> deadline, of connections sending a request / closing after the answer; each in
        # insertion order, which is deadline order
        self.reading: dict = {}
        self.lingering: dict = {}
        self.queued = 0  # requests handed to the thread pool and not finished
        self.running: dict = {}  # conn -> when a thread began it
        super().init_process()

    def load_wsgi(self):
        """The application, then this worker warmed before it accepts a connection: indexes
        open, query encoder run once (paperfeed/web/warmup.py)."""
        super().load_wsgi()
        from paperfeed.web import warmup  # Django is set up by the application's import

        warmup.warm_worker()

    # -- reading requests in the poller ---------------------------------------------------------

    def enqueue_req(self, conn):
        """Every way into the thread pool (a new connection, a kept-alive one readable again,
        bytes left over from the last request) passes here: read the request first."""
        if self.cfg.is_ssl:  # serve never sets a certificate; gthread as it is
            super().enqueue_req(conn)
            return
        held = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        self.buffers[conn] = bytearray(held)
        self.reading[conn] = time.monotonic() + self.read_timeout
        if not self._request_complete(conn):
            conn.sock.setblocking(False)
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_readable, conn))
            # the request usually came with the connection: take it now, so that this worker
            # stops accepting (set_accept_enabled) before it accepts another one
            self.on_readable(conn, conn.sock)

    def _receive(self, conn) -> bytes | None:
        """What the client sent now; None when nothing yet, or when it went away (its socket
        then unregistered and the connection dropped)."""
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError:
            data = b""
        if not data:  # the client went away
            self.poller.unregister(conn.sock)
            self._drop(conn)
            return None
        return data

    def on_readable(self, conn, client):
        data = self._receive(conn)
        if data is None:
            return
        self.buffers[conn].extend(data)
        if self._request_complete(conn):
            self.poller.unregister(conn.sock)

    def _request_complete(self, conn) -> bool:
        """Hand the connection to a thread when its request is in; True when it left the poller's
        care (handed over, or refused)."""
        buffered = self.buffers[conn]
        needed = request_length(buffered)
        if needed is None:
            if len(buffered) <= HEAD_LIMIT:
                return False
            with contextlib.suppress(OSError):
                conn.sock.send(_TOO_LARGE)
            self._drop(conn)
            return True
        if len(buffered) < needed:
            return False
        del self.reading[conn], self.buffers[conn]
        if conn.parser is None:
            conn.parser = http.get_parser(self.cfg, conn.sock, conn.client)
        conn.parser.unreader.unread(bytes(buffered))
        conn.data_ready = True  # gthread's own wait for a first byte is skipped
        self.queued += 1
        self._balance()
        super().enqueue_req(conn)
        return True

    # -- one request at a time per thread, like the sync worker ---------------------------------

    def set_accept_enabled(self, enabled):
        """No new connections while every thread has a request: another worker takes them (the
        sync worker's balance between processes; gthread would queue them here)."""
        super().set_accept_enabled(enabled and self.queued < self.cfg.threads)

    def _balance(self):
        if self.alive:
            self.set_accept_enabled(self.nr_conns < self.worker_connections)

    def handle(self, conn):
        self.running[conn] = time.monotonic()
        try:
            return super().handle(conn)
        finally:
            self.running.pop(conn, None)

    def notify(self):
        """Tell the arbiter this worker is alive as of its oldest running request's start, so a
        request running longer than --timeout gets the worker restarted as under the sync worker
        (gthread's loop would go on saying "alive" while a thread hangs)."""
        started = min(self.running.values(), default=None)
        if started is None:
            super().notify()
        else:
            os.utime(self.tmp.fileno(), (started, started))  # WorkerTmp's clock is monotonic

    def handle_request(self, req, conn):
        conn.sock.settimeout(self.read_timeout)  # each read and write of the thread, bounded
        try:
            return super().handle_request(req, conn)
        except TimeoutError:
            self.log.info("Closing %s: stalled for %s s", conn.client, self.read_timeout)
            return False

    # -- closing in the poller ------------------------------------------------------------------

    def finish_request(self, conn, fs):
        """gthread closes a finished connection on this, the poller's, thread, reading for up to
        2 s until the client closes its side too (RFC 9112 section 9.6): a client that never does
        stalls every connection of the worker. The same close, waiting in the poller instead."""
        self.queued -= 1
        self._balance()
        if self.cfg.is_ssl or fs.cancelled() or fs.exception() is not None or fs.result():
            super().finish_request(conn, fs)
            return
        try:
            conn.sock.shutdown(socket.SHUT_WR)
            conn.sock.setblocking(False)
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_lingering, conn))
        except (OSError, ValueError):
            self._drop(conn)
            return
        self.lingering[conn] = time.monotonic() + LINGER

    def on_lingering(self, conn, client):
        self._receive(conn)  # what a closing client still sends is discarded

    def _drop(self, conn):
        self.reading.pop(conn, None)
        self.buffers.pop(conn, None)
        self.lingering.pop(conn, None)
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self):
        """Once a second: also close the connections whose request is late, and those whose
        client has not closed LINGER s after the answer."""
        super().murder_pending()
        now = time.monotonic()
        for waiting in (self.reading, self.lingering):
            for conn, deadline in list(waiting.items()):
                if deadline > now:
                    break
                with contextlib.suppress(KeyError, ValueError, OSError):
                    self.poller.unregister(conn.sock)
                self._drop(conn)

"""Opening inputs (plain, .gz, .xz, stdin) and recognising their format.

Compression is recognised from the file's magic bytes, not its name, so ``-`` (stdin) can be
compressed too. Decompression errors surface as :class:`SourceError` naming the file.
"""

from __future__ import annotations

import gzip
import importlib
import io
import lzma
import sys
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import BinaryIO

from paperfeed.ingest.records import PaperRecord, Rejected, SourceError

FORMATS = {
    "arxiv-atom": "paperfeed.ingest.atom",
    "oai-pmh": "paperfeed.ingest.oai",
    "kaggle": "paperfeed.ingest.kaggle",
    "jsonl": "paperfeed.ingest.jsonl",
    "hf-daily": "paperfeed.ingest.hf",
}

Parser = Callable[[BinaryIO, str], Iterator[PaperRecord | Rejected]]


class _GuardedStream(io.RawIOBase):
    """Turns the decompressors' EOFError/OSError into SourceError naming the input."""

    def __init__(self, inner: BinaryIO, name: str, kind: str):
        self._inner, self._name, self._kind = inner, name, kind

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._inner.read(len(buffer))
        except EOFError:
            raise SourceError(
                f"{self._name}: {self._kind} stream is truncated (file cut short)"
            ) from None
        except (OSError, lzma.LZMAError, zlib.error) as exc:
            raise SourceError(f"{self._name}: corrupt {self._kind} data ({exc})") from None
        buffer[: len(data)] = data
        return len(data)


@contextmanager
def open_input(path: str) -> Iterator[BinaryIO]:
    """A binary stream of the decompressed content of ``path`` (``-`` is stdin)."""
    with ExitStack() as stack:
        if path == "-":
            raw = sys.stdin.buffer
        else:
            try:
                raw = stack.enter_context(open(path, "rb"))
            except OSError as exc:
                raise SourceError(f"{path}: cannot open ({exc.strerror or exc})") from None
        buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
        magic = buffered.peek(6)[:6]
        if magic[:2] == b"\x1f\x8b":
            inner = stack.enter_context(gzip.GzipFile(fileobj=buffered))
            yield io.BufferedReader(_GuardedStream(inner, path, "gzip"), 1 << 20)
        elif magic[:6] == b"\xfd7zXZ\x00":
            inner = stack.enter_context(lzma.LZMAFile(buffered))
            yield io.BufferedReader(_GuardedStream(inner, path, "xz"), 1 << 20)
        else:
            yield buffered


def detect_format(stream: BinaryIO, name: str) -> str:
    """Guess the format from the first bytes without consuming them."""
    head = stream.peek(65536)[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise SourceError(f"{name}: the input is empty")
    if head.startswith(b"<"):
        if b"<OAI-PMH" in head:
            return "oai-pmh"
        if b"<feed" in head and b"http://www.w3.org/2005/Atom" in head:
            return "arxiv-atom"
        raise SourceError(f"{name}: XML that is neither an arXiv Atom feed nor an OAI-PMH response")
    if head.startswith(b"["):
        return "hf-daily"
    if head.startswith(b"{"):
        first_line = head.split(b"\n", 1)[0]
        if (
            b'"authors_parsed"' in first_line
            or b'"submitter"' in first_line
            or b'"versions"' in first_line
        ):
            return "kaggle"
        if b'"paper"' in first_line and b'"publishedAt"' in first_line:
            return "hf-daily"
        return "jsonl"
    raise SourceError(f"{name}: unknown format (starts with {head[:20]!r}); name one with --format")


def parser_for(fmt: str) -> Parser:
    try:
        module = importlib.import_module(FORMATS[fmt])
    except KeyError:
        raise SourceError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return module.parse

"""Streaming XML for the Atom and OAI-PMH importers: constant memory on files of any size.

:func:`iter_elements` walks a document with ``lxml.etree.iterparse`` and hands out the elements a
parser asks for as each one closes; a record element is cleared (with the siblings before it) once
the parser is done with it, so a 4 GB dump never builds a tree. Anything that stops the document
being read (not XML, cut in half, wrong root element, a broken declared encoding) becomes a
:class:`SourceError` naming the file and line.

Entities are not resolved and nothing is fetched from the network (XXE-safe).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

from lxml import etree

from paperfeed.ingest.records import SourceError


def local_name(tag: str) -> str:
    """``{http://www.w3.org/2005/Atom}feed`` -> ``feed``."""
    return tag.rsplit("}", 1)[-1]


def text_of(element: etree._Element | None) -> str:
    """All the text inside ``element`` (its children's too), '' when it is absent."""
    if element is None:
        return ""
    return "".join(element.itertext())


def iter_elements(
    stream: BinaryIO,
    name: str,
    *,
    root: str,
    what: str,
    wanted: Iterable[str],
    records: Iterable[str],
) -> Iterator[etree._Element]:
    """Yield each element whose (Clark-notation) tag is in ``wanted`` when its end tag is read.

    ``root`` is the tag the document element must have (``what`` names the format in the error);
    elements whose tag is in ``records`` are cleared, with every sibling before them, after the
    consumer has handled them.
    """
    wanted, records = frozenset(wanted), frozenset(records)
    events = etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )
    seen_root = False
    try:
        for event, element in events:
            if event == "start":
                if not seen_root:
                    seen_root = True
                    if element.tag != root:
                        raise SourceError(
                            f"{name}:line {element.sourceline}: the root element is "
                            f"<{local_name(str(element.tag))}>, not {what}"
                        )
                continue
            if element.tag not in wanted:
                continue
            yield element
            if element.tag in records:
                element.clear(keep_tail=False)
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]
    except etree.XMLSyntaxError as exc:
        raise SourceError(_syntax_message(name, exc, what)) from None
    except (etree.LxmlError, LookupError, UnicodeError) as exc:
        raise SourceError(f"{name}: cannot read {what} ({exc})") from None


def _syntax_message(name: str, exc: etree.XMLSyntaxError, what: str) -> str:
    message = (exc.msg or str(exc)).strip().splitlines()[0]
    if exc.lineno in (None, 0) and "no element found" in message:
        return f"{name}: the input is empty, not {what}"
    where = f"{name}:line {exc.lineno}" if exc.lineno else name
    if message.startswith("Premature end of data") or "EndTag" in message:
        return f"{where}: the XML ends early (file cut short?): {message}"
    return f"{where}: not well-formed XML ({message})"

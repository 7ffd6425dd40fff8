"""The two formats every feed of the site is written in: Django's RSS 2.0 and Atom writers, with
their text made safe for XML and for feed readers.

Well-formed whatever the text: every string of the feed and its items loses the control
characters ingest strips (:func:`paperfeed.papers.text.strip_control`: all those XML 1.0 cannot
carry) just before it is written. A row stored before ingest stripped them, or a value from the
URL (``?q=%0b``, a category in the path), made Django's writer raise
``UnserializableContentError``: a 500. Stored rows are left as they are (output covers them).

Text, never markup: a title or abstract holding ``<img src=x onerror=...>`` must reach the
reader as those characters. Atom says what its text is: titles are ``type="text"`` by default,
and the summary is written ``type="text"`` (Django writes ``type="html"``, so readers rendered
the abstract's markup). RSS has no type: readers treat every ``<description>`` as HTML, so the
plain text is HTML-escaped into it; ``<title>`` is plain text (RSS Best Practices Profile), and
so left as it is. LaTeX stays text in both.
"""

from __future__ import annotations

from html import escape

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed

from paperfeed.papers.text import strip_control


def _as_html(text: str) -> str:
    """Plain text as HTML showing the same characters (quotes need no escaping in content)."""
    return escape(text, quote=False)


def _clean(value):
    if isinstance(value, str):
        return strip_control(value)
    if isinstance(value, list | tuple):
        return type(value)(_clean(v) for v in value)
    return value


class _XmlSafe(SyndicationFeed):
    """Strips control characters from every text of the feed before writing it."""

    def write(self, outfile, encoding):
        self.feed = {key: _clean(value) for key, value in self.feed.items()}
        self.items = [{key: _clean(value) for key, value in item.items()} for item in self.items]
        super().write(outfile, encoding)


class Rss(_XmlSafe, Rss201rev2Feed):
    """RSS 2.0 whose descriptions (the channel's and each item's) are plain text as HTML."""

    def add_root_elements(self, handler):
        # the channel <description> is written from self.feed here, and only here
        plain = self.feed["description"]
        if plain is not None:
            self.feed["description"] = _as_html(plain)
        try:
            super().add_root_elements(handler)
        finally:
            self.feed["description"] = plain

    def add_item_elements(self, handler, item):
        if item["description"] is not None:
            item = {**item, "description": _as_html(item["description"])}
        super().add_item_elements(handler, item)


class Atom(_XmlSafe, Atom1Feed):
    """Atom whose summaries are ``type="text"``."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})

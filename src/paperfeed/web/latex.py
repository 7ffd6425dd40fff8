"""Titles and abstracts as safe HTML: ``$...$`` math to MathML, every other character escaped.

latex2mathml turns a math segment into MathML, but it copies ``\\text{...}`` contents and
``\\href`` targets through verbatim (``$\\text{<img onerror=x>}$`` would come out as a live
``<img>``). So its output is never trusted: it is parsed as XML and written out again with only
MathML elements and presentation attributes from an allow-list, text escaped. Anything that does
not convert or does not parse falls back to the escaped source text — never an error.
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as ET

from django.utils.safestring import SafeString, mark_safe
from latex2mathml.converter import convert

MATHML_NS = "{http://www.w3.org/1998/Math/MathML}"
ALLOWED_TAGS = frozenset(
    {
        "math",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "msub",
        "msup",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "mover",
        "munder",
        "munderover",
        "mstyle",
        "mtable",
        "mtr",
        "mtd",
        "mpadded",
        "mphantom",
        "menclose",
        "merror",
        "semantics",
        "annotation",
        "mlabeledtr",
    }
)
ALLOWED_ATTRIBUTES = frozenset(
    {
        "display",
        "mathvariant",
        "stretchy",
        "fence",
        "separator",
        "accent",
        "accentunder",
        "movablelimits",
        "largeop",
        "symmetric",
        "lspace",
        "rspace",
        "linethickness",
        "displaystyle",
        "scriptlevel",
        "columnalign",
        "rowalign",
        "columnspacing",
        "rowspacing",
        "columnlines",
        "rowlines",
        "frame",
        "notation",
        "width",
        "height",
        "depth",
        "minsize",
        "maxsize",
        "form",
        "mathsize",
    }
)
MAX_SEGMENT_CHARS = 500
# $...$ with no unescaped $ inside; \$ is a literal dollar sign
_MATH = re.compile(r"(?<!\\)\$(?!\$)((?:\\.|[^$\\])+?)(?<!\\)\$")
MATH_SEGMENT = _MATH  # public: collection notes find the same segments inside their Markdown


class UnsafeMathML(ValueError):
    """latex2mathml produced something outside the allow-list."""


def _clean(element: ET.Element, out: list[str]) -> None:
    tag = element.tag.removeprefix(MATHML_NS)
    if tag not in ALLOWED_TAGS:
        raise UnsafeMathML(f"element {tag!r} is not allowed")
    attrs = "".join(
        f' {name}="{html.escape(value, quote=True)}"'
        for name, value in element.attrib.items()
        if name in ALLOWED_ATTRIBUTES
    )
    out.append(f"<{tag}{attrs}>")
    if element.text:
        out.append(html.escape(element.text, quote=False))
    for child in element:
        _clean(child, out)
        if child.tail:
            out.append(html.escape(child.tail, quote=False))
    out.append(f"</{tag}>")


def math_to_mathml(latex: str) -> str:
    """Sanitised inline MathML for one math segment (without the dollars); raises on failure."""
    if len(latex) > MAX_SEGMENT_CHARS:
        raise UnsafeMathML("math segment too long")
    root = ET.fromstring(convert(latex))
    out: list[str] = []
    _clean(root, out)
    out[0] = '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">'
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def _render(text: str) -> str:
    out: list[str] = []
    position = 0
    for match in _MATH.finditer(text):
        out.append(html.escape(text[position : match.start()]))
        try:
            out.append(math_to_mathml(match.group(1)))
        except Exception:  # noqa: BLE001 - any converter failure falls back to the source text
            out.append(html.escape(match.group(0)))
        position = match.end()
    out.append(html.escape(text[position:]))
    return "".join(out)


def render_math(text: str | None) -> SafeString:
    """``text`` as HTML: ``$...$`` segments as MathML, everything else escaped.

    >>> str(render_math("a <b> & $x^2$"))[:20]
    'a &lt;b&gt; &amp; <m'
    """
    return mark_safe(_render(text or ""))  # noqa: S308 - escaped/sanitised above


def render_paragraphs(text: str | None) -> list[SafeString]:
    """An abstract's paragraphs (blank-line separated), each rendered by :func:`render_math`."""
    return [render_math(p) for p in re.split(r"\n\s*\n", text or "") if p.strip()]

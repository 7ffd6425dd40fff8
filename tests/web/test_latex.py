"""Math in titles and abstracts: MathML for $...$, everything else escaped, never an error."""

from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from paperfeed.web.latex import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_math, render_paragraphs


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def tags_of(html: str) -> list[tuple[str, list]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def test_math_segments_become_mathml_and_text_is_escaped():
    html = str(render_math("Bounds <b> & $O(n^2)$ for \\$5"))
    assert html.startswith("Bounds &lt;b&gt; &amp; <math")
    assert "<msup><mi>n</mi><mn>2</mn></msup>" in html
    assert html.endswith("for \\$5")


def test_injection_through_latex_is_neutralised():
    for text in [
        r"$\text{<img src=x onerror=alert(1)>}$",
        r"$\href{javascript:alert(1)}{x}$",
        r'$\mathrm{"><script>alert(1)</script>}$',
        "$<script>$",
    ]:
        html = str(render_math(text))
        assert "<script" not in html and "<img" not in html and "javascript:" not in html
        for tag, attrs in tags_of(html):
            assert tag in ALLOWED_TAGS | {"math"}, (text, tag)
            assert all(name in ALLOWED_ATTRIBUTES | {"xmlns"} for name, _ in attrs), (text, attrs)


def test_bad_latex_falls_back_to_escaped_source():
    assert str(render_math(r"x $\frac{$ and $y^$ <z>")) == r"x $\frac{$ and $y^$ &lt;z&gt;"
    assert str(render_math("")) == "" and str(render_math(None)) == ""


def test_paragraphs():
    assert [str(p) for p in render_paragraphs("one\n\n two <i>\n \n")] == ["one", " two &lt;i&gt;"]


PIECES = [*"$\\{}^_<>&\"'ab1 ", "\\text", "\\frac", "\\href", "onerror="]


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_any_text_renders_to_allowed_markup_only(text):
    html = str(render_math(text))
    for tag, attrs in tags_of(html):
        assert tag in ALLOWED_TAGS
        assert all(name in ALLOWED_ATTRIBUTES | {"xmlns"} for name, _ in attrs)

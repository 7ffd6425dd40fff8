"""A note: the comments' Markdown subset, sanitised, with ``$...$`` as the titles' MathML."""

from __future__ import annotations

from paperfeed.library.notes import render_note


def test_markdown_and_math_together():
    html = render_note("**Bound** $a_1 b_1$ and *more*")
    assert "<strong>Bound</strong>" in html and "<em>more</em>" in html
    assert "<msub><mi>a</mi><mn>1</mn></msub><msub><mi>b</mi><mn>1</mn></msub>" in html


def test_scripts_and_bad_links_stay_text():
    html = render_note("<script>alert(1)</script> [x](javascript:alert(1)) $\\text{<img>}$")
    assert "<script" not in html and "javascript:" not in html.replace("[x](javascript:", "")
    assert "<img" not in html


def test_math_inside_a_link_url_is_text_not_markup():
    html = render_note("[see](https://example.org/$x$) and $y$")
    assert 'href="https://example.org/$x$"' in html
    assert html.count("<math") == 1  # only the $y$ outside the link


def test_math_that_does_not_convert_is_shown_as_written():
    assert render_note("$\\frac{$") == "<p>$\\frac{$</p>"  # does not convert: as written
    assert render_note("$" + "x" * 600 + "$").count("<math") == 0
    assert render_note("   ") == ""

import pytest

from paperfeed.digests.mathtext import plain_math


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"$\alpha$-stable $O(n^2)$ attention", "α-stable O(n²) attention"),
        (r"$x_{ij}^{ab}$", "xᵢⱼ^(ab)"),
        (r"$\mathcal{O}(\log n)$", "O(log n)"),
        (r"$\frac{1}{2}$ and $\frac{a+b}{2}$", "1/2 and (a+b)/2"),
        (r"$$\sqrt{d_k}$$", "√dₖ"),
        (r"costs \$5, no math", "costs $5, no math"),
        (r"$\unknowncommand{x}$ kept", r"\unknowncommand x kept"),
        ("", ""),
        (None, ""),
    ],
)
def test_math_as_text(tex, text):
    assert plain_math(tex) == text

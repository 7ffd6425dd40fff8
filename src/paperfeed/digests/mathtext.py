"""TeX math in titles and abstracts as plain Unicode text, for email clients that show no MathML.

``$\\alpha$-stable O(n^2)`` becomes ``α-stable O(n²)``: Greek letters and common symbols to their
Unicode characters, single-character super/subscripts to Unicode super/subscripts where those
exist (``x^{ab}`` becomes ``x^(ab)`` otherwise), ``\\frac{a}{b}`` to ``(a)/(b)``, font commands
(``\\mathcal{X}``) to their argument. Anything unknown stays as written, so nothing is lost.
"""

from __future__ import annotations

import re

SYMBOLS = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "vartheta": "ϑ",
    "iota": "ι",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "upsilon": "υ",
    "phi": "φ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Xi": "Ξ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
    "infty": "∞",
    "leq": "≤",
    "le": "≤",
    "geq": "≥",
    "ge": "≥",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "sim": "∼",
    "times": "×",
    "cdot": "·",
    "pm": "±",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
    "in": "∈",
    "subset": "⊂",
    "subseteq": "⊆",
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "partial": "∂",
    "nabla": "∇",
    "log": "log",
    "exp": "exp",
    "sqrt": "√",
    "ell": "ℓ",
    "ldots": "…",
    "dots": "…",
    "cdots": "⋯",
    "mathbb": "",
    "mathcal": "",
    "mathrm": "",
    "mathbf": "",
    "mathit": "",
    "text": "",
    "textrm": "",
    "textit": "",
    "textbf": "",
    "operatorname": "",
    "emph": "",
    "widetilde": "",
    "tilde": "",
    "hat": "",
    "bar": "",
    "left": "",
    "right": "",
    ",": " ",
    ";": " ",
    "!": "",
    "%": "%",
    "&": "&",
    "_": "_",
    "{": "{",
    "}": "}",
    "$": "$",
}
SUPERSCRIPTS = dict(zip("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", strict=True))
SUBSCRIPTS = dict(
    zip("0123456789+-=()aeijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True)
)

_MATH = re.compile(r"(?<!\\)\$\$?(.+?)(?<!\\)\$\$?", re.S)
_COMMAND = re.compile(r"\\([A-Za-z]+|[,;!%&_{}$])")
_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_SCRIPT = re.compile(r"([\^_])(?:\{([^{}]*)\}|(\\?[A-Za-z0-9+\-=()]))")


def _script(match: re.Match) -> str:
    mark, group, single = match.groups()
    body = group if group is not None else single
    table = SUPERSCRIPTS if mark == "^" else SUBSCRIPTS
    if body and all(ch in table for ch in body):
        return "".join(table[ch] for ch in body)
    return f"{mark}({body})" if len(body) > 1 else f"{mark}{body}"


def _fraction(match: re.Match) -> str:
    parts = [p.strip() for p in match.groups()]
    return "/".join(p if p.isalnum() else f"({p})" for p in parts)


def _command(match: re.Match) -> str:
    name = match.group(1)
    if name in SYMBOLS:
        return SYMBOLS[name]
    return match.group(0) + " "  # unknown: kept, parted from its argument


def math_to_text(latex: str) -> str:
    """One math segment (no dollars) as Unicode text."""
    text = _FRAC.sub(_fraction, latex)
    text = _COMMAND.sub(_command, text)
    text = _SCRIPT.sub(_script, text)
    text = text.replace("{", "").replace("}", "")
    return re.sub(r"  +", " ", text).strip()


def plain_math(text: str | None) -> str:
    """Every ``$...$`` / ``$$...$$`` segment of ``text`` as Unicode text; the rest untouched."""
    if not text:
        return ""
    return _MATH.sub(lambda m: math_to_text(m.group(1)), text).replace("\\$", "$")

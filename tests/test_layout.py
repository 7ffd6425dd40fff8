"""The tests mirror src/: one test package per app, a test module per command and per view module.

- every app (package of ``src/paperfeed``) has ``tests/<app>/``; every test package is an app's,
  except the browser flows (``e2e``, across apps) and the benchmarks' smoke tests (``bench_smoke``);
- every management command ``X`` of app ``A`` has a module ``tests/A/test_*X*command*.py``;
- every module that ``A/urls.py`` routes to (views, feeds, pages, API routers) has a module
  ``tests/A/test_<module>*.py`` (``views.py``: ``test_views*.py``).
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "paperfeed"
TESTS = REPO / "tests"
NOT_APPS = {"e2e": "browser flows across apps", "bench_smoke": "benchmarks/ smoke tests"}


def _apps() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())


def _test_modules(app: str) -> list[str]:
    return [p.stem for p in (TESTS / app).glob("test_*.py")]


def test_every_app_has_a_test_package_and_every_test_package_an_app():
    packages = {p.name for p in TESTS.iterdir() if (p / "__init__.py").exists()}
    assert set(_apps()) <= packages, f"apps without tests/<app>/: {set(_apps()) - packages}"
    strays = packages - set(_apps()) - set(NOT_APPS)
    assert not strays, f"test packages that mirror no app: {strays}"


def test_every_command_has_a_test_module():
    missing = []
    for command in sorted(PACKAGE.glob("*/management/commands/*.py")):
        if command.stem == "__init__":
            continue
        app = command.parents[2].name
        if not any(command.stem in name and "command" in name for name in _test_modules(app)):
            missing.append(f"{app}: {command.stem}")
    assert not missing, f"commands without tests/<app>/test_<command>_command*.py: {missing}"


def _routed_modules(app: str) -> set[str]:
    """The app's modules its urls.py imports (``from paperfeed.<app> import a, b``)."""
    urls = PACKAGE / app / "urls.py"
    if not urls.exists():
        return set()
    routed = set()
    for node in ast.walk(ast.parse(urls.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == f"paperfeed.{app}":
            routed |= {alias.name for alias in node.names}
    return routed - {"converters", "errors", "auth", "schemas", "shapes"}


def test_every_routed_module_has_a_test_module():
    missing = []
    for app in _apps():
        names = _test_modules(app)
        for module in sorted(_routed_modules(app)):
            if not any(name.startswith(f"test_{module}") for name in names):
                missing.append(f"{app}/{module}.py")
    assert not missing, f"view modules without tests/<app>/test_<module>*.py: {missing}"


def test_the_rules_see_the_tree():
    assert {"web", "api", "search", "jobs", "rankings"} <= set(_apps())
    assert {"views", "feeds", "search_page", "paper"} <= _routed_modules("web")

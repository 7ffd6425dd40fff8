"""The malformed-input corpus: every URL pattern of the site, with hostile values, never a 5xx.

The URLconf is resolved (admin, allauth, the API and every app's routes), each path parameter is
filled with each value of :data:`VALUES` (huge numbers, years 9999 and 0, NUL, lone surrogates,
control characters, a 10 KB string, ``../``, odd unicode), and each URL is asked with GET (the
query parameters the code reads set to the same value) and POST (the same names as form fields),
by a logged-in superuser and, for GET, anonymously. Every JSON operation of the API gets bodies
whose string fields are those values. The test client raises a view's exception (Django's
``raise_request_exception``), so a server error fails with its traceback; any answer of 500 or
more fails too. Runs on SQLite and on PostgreSQL (``PAPERFEED_TEST_DATABASE_URL``), where NUL in a
query parameter is refused by the driver.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "paperfeed"

VALUES = {
    "huge": "9" * 40,
    "negative": "-1",
    "year-9999": "9999-12-31",
    "year-0": "0000-01-01",
    "week-9999": "9999-W52",
    "month-9999": "9999-12",
    "month-0": "0000-01",
    "nul": "a\x00b",
    "surrogate": "\ud800x",
    "controls": "a\x01\x0b\x1f\x7fb",
    "10kb": "A" * 10_240,
    "traversal": "../../../etc/passwd",
    "unicode": "\u202eﬀ😀\ufeffé",
    "markup": "'\"><script>alert(1)</script>%zz",
}


def encode(value: str) -> str:
    """Percent-encode ``value`` as UTF-8, lone surrogates as the bytes a client could send."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="/")


def _param_names() -> list[str]:
    """Every query/form parameter name the code reads (``request.GET.get("q")``,
    ``int_param(request, "page", ...)``, form fields), plus allauth's and the admin's."""
    pattern = re.compile(
        r"""(?:GET|POST)(?:\.get|\.getlist)?\(\s*["'](\w+)["']"""
        r"""|(?:GET|POST)\[["'](\w+)["']\]"""
        r"""|_param\(\s*request,\s*["'](\w+)["']"""
        r"""|^\s+(\w+) = forms\.\w*Field""",
        re.MULTILINE,
    )
    names = {"login", "password", "email", "username", "password1", "password2"}
    names |= {"q", "o", "p", "date", "week", "month", "limit", "offset", "token", "key"}
    for source in SRC.rglob("*.py"):
        for match in pattern.finditer(source.read_text(encoding="utf-8")):
            names.add(next(group for group in match.groups() if group))
    return sorted(names)


PARAM_NAMES = _param_names()


def _patterns(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


_ROUTE_PARAM = re.compile(r"<(?:\w+:)?\w+>")
_REGEX_GROUP = re.compile(r"\(\?P<\w+>[^)]*\)")


def fill(route: str, value: str) -> str:
    """The URL of ``route`` (a ``path()`` route or a ``re_path()`` regex) with every parameter
    replaced by ``value``, percent-encoded."""
    encoded = encode(value)
    url = _REGEX_GROUP.sub(lambda _: encoded, route)  # first: a group's name looks like <name>
    url = _ROUTE_PARAM.sub(lambda _: encoded, url)
    return "/" + url.replace("^", "").replace("$", "").replace("\\", "")


ROUTES = sorted(set(_patterns(get_resolver().url_patterns)))


def query(value: str) -> str:
    encoded = quote(value.encode("utf-8", "surrogatepass"), safe="")
    return "&".join(f"{name}={encoded}" for name in PARAM_NAMES)


@pytest.fixture
def moderator(db):
    from tests.community.factories import logged_in, make_user

    return logged_in(make_user("moderator", is_staff=True, is_superuser=True))


class Walk:
    """Asks URLs and keeps every server error (a raised exception or a 5xx) to report at once."""

    def __init__(self):
        self.errors: list[str] = []
        self.count = 0

    def ask(self, client: Client, method: str, url: str, **kwargs) -> None:
        self.count += 1
        try:  # the test client re-raises a view's exception (raise_request_exception)
            status = getattr(client, method)(url, **kwargs).status_code
        except Exception as exc:  # noqa: BLE001 - every server error is reported below
            self.errors.append(f"{method.upper()} {url[:120]!r}: {type(exc).__name__}: {exc}")
            return
        if status >= 500:
            self.errors.append(f"{method.upper()} {url[:120]!r}: HTTP {status}")

    def check(self) -> None:
        assert not self.errors, f"{len(self.errors)} of {self.count}:\n" + "\n".join(self.errors)


def test_the_walk_sees_every_app():
    assert len(ROUTES) > 150, len(ROUTES)
    for route in ("day/<day:day>", "api/v1/search", "users/<str:username>", "admin/"):
        assert route in ROUTES
    assert {"q", "page", "date", "body", "next", "email"} <= set(PARAM_NAMES)


@pytest.mark.parametrize("name", list(VALUES))
def test_every_url_with_hostile_values(site, moderator, name):
    value, anonymous, walk = VALUES[name], Client(raise_request_exception=True), Walk()
    form = {"data": query(value), "content_type": "application/x-www-form-urlencoded"}
    for route in ROUTES:
        url = fill(route, value)
        walk.ask(moderator, "get", url)
        walk.ask(moderator, "get", f"{url}?{query(value)}")
        walk.ask(anonymous, "get", f"{url}?{query(value)}")
        walk.ask(moderator, "post", url, **form)  # the test client skips the CSRF check
        walk.ask(anonymous, "post", url, **form)
    assert walk.count == 5 * len(ROUTES)
    walk.check()


def _sample(schema: dict, value: str):
    """A value for one body field: ``value`` where the field takes free text (or a list of
    it), a valid choice, number or flag elsewhere, so the text reaches the code behind."""
    for option in schema.get("anyOf", ()):
        if option.get("type") != "null":
            return _sample(option, value)
    kind = schema.get("type")
    if kind == "string":
        return schema["enum"][0] if "enum" in schema else value
    if kind == "array":
        return [_sample(schema.get("items", {}), value)]
    return {"integer": 1, "number": 1, "boolean": True}.get(kind)


def _json_operations():
    """(method, route, {field: schema}) of every API operation that takes a JSON body."""
    from paperfeed.api.urls import api

    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    for route, methods in schema["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            if body is None:
                continue
            if "$ref" in body:
                body = components[body["$ref"].rsplit("/", 1)[1]]
            yield method, route, body.get("properties", {})


JSON_OPERATIONS = list(_json_operations())


def test_the_json_walk_sees_the_writes():
    assert len(JSON_OPERATIONS) >= 5, JSON_OPERATIONS
    assert any(route.endswith("/comments") for _, route, _ in JSON_OPERATIONS)


@pytest.mark.parametrize("name", list(VALUES))
def test_every_json_body_with_hostile_strings(site, name):
    """Each JSON operation with its free-text fields, then every field, then a field name set
    to the value (json.dumps writes a lone surrogate as the escape a client would send)."""
    from django.contrib.auth import get_user_model

    from paperfeed.accounts.tokens import create_token

    user = get_user_model().objects.create_user("carol", "carol@example.org", "a long password")
    client = Client(
        raise_request_exception=True, HTTP_AUTHORIZATION=f"Bearer {create_token(user, 'corpus')}"
    )
    value, walk = VALUES[name], Walk()
    for method, route, fields in JSON_OPERATIONS:
        url = re.sub(r"\{\w+\}", "1", route.replace("{paper_id}", "2503.00001"))
        for body in (
            {field: _sample(schema, value) for field, schema in fields.items()},
            {field: value for field in fields},
            {value: value},
        ):
            walk.ask(client, method, url, data=json.dumps(body), content_type="application/json")
    walk.check()

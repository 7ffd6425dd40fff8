"""A collection in and out on the site: the collection page's Export menu (no script) and
its four files, the whole library, the import forms (collection page and /collections/new)
and their report page; rights, CSRF, rate limit and refusals that say why."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from paperfeed.library import collections as col
from paperfeed.library.models import Collection, CollectionItem

P1, P2, P3 = "2503.00001", "2503.00002", "2503.00003"


def logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def group(alice, papers):
    c = col.create(alice, "Reading group")
    col.add(alice, c.pk, P1)
    col.add(alice, c.pk, P2)
    col.set_note(alice, c.pk, P1, "Why: $x^2$ **matters**")
    return c


def items(c) -> list[tuple[str, str]]:
    return list(c.items.order_by("position").values_list("paper_id", "note"))


def test_the_page_has_an_export_menu_and_an_import_form_for_editors(alice, bob, group):
    html = logged_in(alice).get(f"/collections/{group.pk}-reading-group").content.decode()
    assert '<details class="export-menu">' in html
    for fmt in ("bibtex", "ris", "csl-json", "markdown"):
        assert f'href="/collections/{group.pk}/export?format={fmt}"' in html
    assert f'action="/collections/{group.pk}/import"' in html
    assert 'enctype="multipart/form-data"' in html and "<script" not in html.split("<main")[-1]
    col.update(alice, group.pk, visibility="unlisted")
    html = logged_in(bob).get(f"/collections/{group.pk}-reading-group").content.decode()
    assert "export-menu" in html and "/import" not in html  # a reader may export, not import
    twin = logged_in(bob).get(f"/collections/{group.pk}-reading-group?format=json").json()
    assert [i["paper"] for i in twin["items"]] == [P1, P2]  # the JSON twin as it was


@pytest.mark.parametrize(
    ("fmt", "type_", "name"),
    [
        ("bibtex", "application/x-bibtex", "reading-group.bib"),
        ("ris", "application/x-research-info-systems", "reading-group.ris"),
        ("csl-json", "application/vnd.citationstyles.csl+json", "reading-group.csl.json"),
        ("markdown", "text/markdown", "reading-group.md"),
    ],
)
def test_export_a_collection_as_each_format(alice, group, fmt, type_, name):
    response = logged_in(alice).get(f"/collections/{group.pk}/export?format={fmt}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(type_) and name in response["Content-Disposition"]
    text = response.content.decode()
    assert text.index("KV Cache") < text.index("small cache of keys")  # in order
    assert "matters" in text


def test_export_follows_the_collection_visibility(alice, bob, group):
    assert Client().get(f"/collections/{group.pk}/export").status_code == 404
    assert logged_in(bob).get(f"/collections/{group.pk}/export").status_code == 404
    col.update(alice, group.pk, visibility="unlisted")
    assert Client().get(f"/collections/{group.pk}/export").status_code == 200
    bad = Client().get(f"/collections/{group.pk}/export?format=docx")
    assert bad.status_code == 400 and "bibtex" in bad.content.decode()


def test_export_the_whole_library(alice, group):
    col.save(alice, P3)
    client = logged_in(alice)
    assert "/collections/export?format=bibtex" in client.get("/collections").content.decode()
    response = client.get("/collections/export?format=markdown")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.index("Graph neural") < text.index("KV Cache")  # Read later first
    assert "### Reading group\n\nWhy: $x^2$ **matters**" in text
    assert Client().get("/collections/export").status_code == 302  # log in first


def test_import_a_file_into_a_collection_shows_the_report(alice, group, no_arxiv):
    bib = (
        b"@misc{a, title={T}, eprint={2503.00004}, archivePrefix={arXiv}, annote={Read it}}\n"
        b"@misc{b, title={No such paper at all}}\n"
        b"@misc{c, eprint={2501.77777}, archivePrefix={arXiv}}\n"
        b"@misc{d, eprint={2503.00001}, archivePrefix={arXiv}}\n"
    )
    upload = SimpleUploadedFile("refs.bib", bib)
    response = logged_in(alice).post(f"/collections/{group.pk}/import", {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 added, 1 already there, 1 being fetched from arXiv, 1 not found." in html
    assert "entry b" in html and "no paper on paperfeed is titled" in html
    assert "arXiv:2501.77777" in html and "Quantum error correction decoders" in html
    assert items(group) == [(P1, "Why: $x^2$ **matters**"), (P2, ""), ("2503.00004", "Read it")]


def test_import_pasted_ids(alice, group):
    response = logged_in(alice).post(
        f"/collections/{group.pk}/import", {"text": "2503.00003\n> first\n2503.00004"}
    )
    assert response.status_code == 200 and "2 added" in response.content.decode()
    assert items(group)[2:] == [(P3, "first"), ("2503.00004", "")]


def test_import_refusals_say_why(alice, bob, group):
    client = logged_in(alice)
    empty = client.post(f"/collections/{group.pk}/import", {"text": "  "})
    assert empty.status_code == 400 and "Nothing imported: choose a BibTeX" in (
        empty.content.decode()
    )
    broken = client.post(f"/collections/{group.pk}/import", {"text": "@misc{a,\n title={x"})
    assert broken.status_code == 400 and "line 1: entry a cannot be read" in (
        broken.content.decode()
    )
    col.update(alice, group.pk, visibility="public")
    theirs = logged_in(bob).post(f"/collections/{group.pk}/import", {"text": P3})
    assert theirs.status_code == 403 and "only the owner and the collaborators" in (
        theirs.content.decode()
    )
    assert logged_in(bob).get(f"/collections/{group.pk}/import").status_code == 405
    assert len(items(group)) == 2


def test_import_needs_csrf(alice, group):
    client = logged_in(alice, enforce_csrf_checks=True)
    assert client.post(f"/collections/{group.pk}/import", {"text": P3}).status_code == 403
    assert len(items(group)) == 2


@override_settings(PAPERFEED_LIMIT_IMPORT="1/m/user")
def test_imports_are_rate_limited(alice, group):
    client = logged_in(alice)
    assert client.post(f"/collections/{group.pk}/import", {"text": P3}).status_code == 200
    refused = client.post("/collections/import", {"name": "x", "text": P3})
    assert refused.status_code == 429 and not Collection.objects.filter(name="x").exists()


def test_a_new_collection_from_a_file(alice, papers):
    client = logged_in(alice)
    page = client.get("/collections/new").content.decode()
    assert 'action="/collections/import"' in page and 'name="file"' in page
    ris = b"TY  - GEN\nAN  - arXiv:2503.00002\nN1  - a note\nER  - \n"
    upload = SimpleUploadedFile("refs.ris", ris)
    response = client.post(
        "/collections/import", {"name": "From Zotero", "visibility": "unlisted", "file": upload}
    )
    assert response.status_code == 200
    made = Collection.objects.get(name="From Zotero")
    assert made.visibility == "unlisted" and items(made) == [(P2, "a note")]
    assert f'href="/collections/{made.pk}-from-zotero"' in response.content.decode()


def test_a_new_collection_is_not_made_from_unreadable_input(alice, papers):
    response = logged_in(alice).post("/collections/import", {"name": "Empty", "text": "hello"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing imported: no arXiv id" in html and 'value="Empty"' in html
    assert not Collection.objects.exists() and not CollectionItem.objects.exists()

"""A collection in and out (paperfeed.library.transfer): every format round-trips a collection's
papers, order and notes; the whole library; an import's rules (order, existing items, notes,
limits, rights) and the worker adding the papers it fetched from arXiv."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from paperfeed.library import collaborators, collections, exports, imports, transfer
from paperfeed.library.models import Collection, CollectionItem
from tests.conftest import shared_file
from tests.ingest.arxiv_server import Reply

NOTES = {
    "2503.00003": "Check the bound: $x^2$ **first**\nsecond line with {braces} & 50% _under_",
    "2503.00001": "",
    "cs/9809007": "Schrödinger's \\alpha \U0002f800: see [the code](https://example.org/a_b)",
}


def contents(collection_id: int) -> list[tuple[str, str]]:
    rows = CollectionItem.objects.filter(collection_id=collection_id).order_by("position", "pk")
    return list(rows.values_list("paper_id", "note"))


@pytest.fixture
def filled(papers, alice):
    made = collections.create(alice, "Reading group")
    for paper_id, note in NOTES.items():
        collections.add(alice, made.pk, paper_id)
        if note:
            collections.set_note(alice, made.pk, paper_id, note)
    return made


@pytest.mark.parametrize("fmt", list(exports.FORMATS))
def test_every_format_round_trips_papers_order_and_notes(filled, alice, fmt):
    _, entries = transfer.collection_entries(alice, filled.pk)
    text = exports.export(entries, fmt)
    name = f"reading.{exports.FORMATS[fmt].extension}"
    result = transfer.import_new(alice, "Copy", text.encode(), name)
    assert contents(result.collection.pk) == list(NOTES.items())
    assert result.queued == [] and result.report.unmatched == []
    # the same text pasted, without a file name to say the format
    again = transfer.import_new(alice, "Pasted", text)
    assert contents(again.collection.pk) == list(NOTES.items())


def test_collection_export_follows_visibility(filled, alice, bob):
    with pytest.raises(collections.NotFound):
        transfer.collection_entries(bob, filled.pk)
    with pytest.raises(collections.NotFound):
        transfer.collection_entries(None, filled.pk)
    collections.update(alice, filled.pk, visibility="unlisted")
    _, entries = transfer.collection_entries(None, filled.pk)
    assert [e.paper.arxiv_id for e in entries] == list(NOTES)


def test_library_has_each_paper_once_with_notes_under_collection_names(filled, alice, bob):
    other = collections.create(alice, "Another")
    collections.add(alice, other.pk, "2503.00004")
    collections.add(alice, other.pk, "2503.00003")
    collections.set_note(alice, other.pk, "2503.00003", "Second thoughts")
    collections.save(alice, "2503.00002")  # Read later comes first
    collections.save(bob, "2503.00001")  # not alice's
    entries = transfer.library_entries(alice)
    ids = [e.paper.arxiv_id for e in entries]
    assert ids == ["2503.00002", "2503.00004", "2503.00003", "2503.00001", "cs/9809007"]
    notes = {e.paper.arxiv_id: e.note for e in entries}
    assert notes["2503.00003"] == (
        "### Another\n\nSecond thoughts\n\n### Reading group\n\n" + NOTES["2503.00003"]
    )
    assert notes["2503.00001"] == "" and notes["2503.00004"] == ""
    assert transfer.library_entries(bob)[0].paper.arxiv_id == "2503.00001"


def test_import_keeps_existing_items_and_notes_unless_a_new_note_is_given(filled, alice):
    text = (
        "2503.00004\n> new paper, new note\n"
        "2503.00003\n"  # no note: the stored one stays
        "cs/9809007\n> replaced\n"
        "2503.00002\n"
    )
    result = transfer.import_into(alice, filled.pk, text)
    assert result.added == ["2503.00004", "2503.00002"]
    assert result.noted == ["cs/9809007"] and result.kept == ["2503.00003"]
    assert contents(filled.pk) == [
        ("2503.00003", NOTES["2503.00003"]),
        ("2503.00001", ""),
        ("cs/9809007", "replaced"),
        ("2503.00004", "new paper, new note"),
        ("2503.00002", ""),
    ]
    item = CollectionItem.objects.get(collection=filled, paper_id="2503.00004")
    assert item.added_by == alice and "new note" in item.note_html
    summary = "2 added, 1 already there, note updated, 1 already there, 0 being fetched"
    assert result.summary() == summary + " from arXiv, 0 not found"


def test_import_reports_unknown_and_unreadable_entries(filled, alice, no_arxiv):
    text = "2503.00004\n10.1234/nowhere\n2501.77777\n"
    result = transfer.import_into(alice, filled.pk, text)
    assert result.added == ["2503.00004"] and result.queued == ["2501.77777"]
    [(entry, reason)] = result.report.unmatched
    assert entry.source == "line 2" and "DOI 10.1234/nowhere is not on paperfeed" in reason
    assert result.summary() == "1 added, 1 being fetched from arXiv, 1 not found"
    with pytest.raises(imports.ImportFileError, match="line 1"):
        transfer.import_into(alice, filled.pk, "@article{broken,\n title = {x")


def test_import_needs_the_right_to_edit(filled, bob, carol):
    with pytest.raises(collections.NotFound):
        transfer.import_into(bob, filled.pk, "2503.00004")
    collections.update(filled.owner, filled.pk, visibility="public")
    with pytest.raises(collections.Forbidden):
        transfer.import_into(bob, filled.pk, "2503.00004")
    collaborators.invite(filled.owner, filled.pk, "carol")
    collaborators.accept(carol, filled.pk)
    assert transfer.import_into(carol, filled.pk, "2503.00004").added == ["2503.00004"]


def test_import_past_the_limit_adds_nothing_and_says_why(filled, alice, monkeypatch):
    monkeypatch.setattr(collections, "MAX_ITEMS", 4)
    with pytest.raises(collections.CollectionError, match="5 papers .* the limit is 4"):
        transfer.import_into(alice, filled.pk, "2503.00004 2503.00002")
    assert len(contents(filled.pk)) == 3
    # the papers still to be fetched count too
    with pytest.raises(collections.CollectionError, match="the limit is 4"):
        transfer.import_into(alice, filled.pk, "2503.00004 2501.77777")
    assert transfer.import_into(alice, filled.pk, "2503.00004 2503.00003").added == ["2503.00004"]


def test_a_new_collection_is_not_made_when_the_input_is_unreadable(papers, alice):
    with pytest.raises(imports.ImportFileError):
        transfer.import_new(alice, "Nothing", "no ids here")
    with pytest.raises(collections.CollectionError, match="name is empty"):
        transfer.import_new(alice, "  ", "2503.00001")
    assert not Collection.objects.exists()


def test_an_overlong_note_refuses_the_import(filled, alice):
    note = "x" * (collections.MAX_NOTE + 1)
    with pytest.raises(collections.CollectionError, match="note on 2503.00004 is 10,001"):
        transfer.import_into(alice, filled.pk, f"2503.00004\n> {note}")
    assert len(contents(filled.pk)) == 3


@pytest.mark.network
@pytest.mark.django_db(transaction=True)  # --drain's task runner closes the connection
def test_papers_fetched_from_arxiv_end_up_in_the_collection(papers, alice, arxiv, data_home):
    feed = shared_file("fixtures", "arxiv-api", "query_all-science_10-entries.xml").read_bytes()
    arxiv.route("/api/query", {"id_list": "2501.99999,1501.05039"}, Reply(body=feed))
    made = collections.create(alice, "To fetch")
    text = "2501.99999\n> arXiv has none\n1501.05039\n> fetched later\n2503.00001\n> here\n"
    result = transfer.import_into(alice, made.pk, text)
    assert result.added == ["2503.00001"] and result.queued == ["2501.99999", "1501.05039"]
    assert arxiv.requests == []  # the request never waits on arXiv
    out = io.StringIO()
    call_command("worker", "--drain", "--no-fetch", "--no-embed", stdout=out)
    assert "import_into_collection: ok" in out.getvalue()
    assert [p["id_list"] for p in arxiv.params("/api/query")] == ["2501.99999,1501.05039"]
    assert contents(made.pk) == [("2503.00001", "here"), ("1501.05039", "fetched later")]
    assert CollectionItem.objects.get(paper_id="1501.05039").added_by == alice


@pytest.mark.django_db(transaction=True)
def test_the_fetch_task_rechecks_rights(papers, alice, bob, arxiv, data_home):
    from paperfeed.jobs import tasks

    made = collections.create(alice, "Mine")
    outcome = tasks.import_into_collection.call(made.pk, bob.pk, [["1501.05039", "n"]])
    assert (
        "only the owner and the collaborators" in outcome["error"]
        or "no collection" in (outcome["error"])
    )
    assert contents(made.pk) == []

"""papers_changed: the indexes follow the store, the planner's statistics follow only a change,
a busy index is waited for up to ``wait`` seconds and then reported, never raised."""

from __future__ import annotations

import threading

import pytest

from paperfeed.papers import maintenance
from paperfeed.search import paths, refresh
from tests.conftest import index_held_by_another_writer
from tests.search.test_sync import found, record, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def statistics(monkeypatch):
    """Each refresh of the planner's statistics, counted."""
    runs = []
    monkeypatch.setattr(refresh, "update_statistics", lambda: runs.append(1) or {"runs": 1})
    return runs


def test_the_indexes_follow_the_store_and_statistics_only_a_change(data_home, statistics):
    store(record(1), record(2))
    update = refresh.papers_changed()
    assert update.lexical["action"] == "rebuilt" and update.changed and statistics == [1]
    assert found("number2") == ["2503.00002"]
    idle = refresh.papers_changed()  # nothing new: no VACUUM on an idle worker round
    assert not idle.changed and idle.statistics is None and statistics == [1]
    assert idle.indexes() == {"lexical": idle.lexical, "vectors": idle.vectors}
    store(record(3))
    assert refresh.papers_changed().lexical["indexed"] == 1 and statistics == [1, 1]


def test_without_indexing_stored_papers_still_refresh_the_statistics(data_home, statistics):
    store(record(1))
    update = refresh.papers_changed(index=False, stored=True)
    assert update.lexical is None and update.statistics == {"runs": 1}
    assert paths.current_dir("lexical") is None  # the index is left for later


def test_a_busy_index_is_waited_for(data_home, statistics):
    store(record(1))
    with index_held_by_another_writer() as release:
        busy = refresh.papers_changed(wait=0.05, stored=True)
        assert "another process is writing the lexical index" in busy.busy
        assert busy.indexes() == {"error": busy.busy} and statistics == [1]  # stored: refreshed
        assert refresh.papers_changed(wait=0.05).statistics is None
        threading.Timer(0.3, release.set).start()
        update = refresh.papers_changed(wait=5)
    assert not update.busy and update.lexical["papers"] == 1


def test_rebuild_builds_a_new_generation_and_refreshes_the_statistics(data_home):
    store(record(1))
    first = refresh.papers_changed()
    again = refresh.papers_changed(rebuild=True)
    assert again.lexical["action"] == "rebuilt"
    assert again.lexical["generation"] > first.lexical["generation"]
    assert again.statistics["vendor"] == maintenance.update_statistics()["vendor"]


def test_an_index_changed_when_either_index_added_removed_or_rebuilt_anything():
    def update(action="synced", indexed=0, deleted=0, vectors=None) -> refresh.IndexUpdate:
        lexical = {"action": action, "indexed": indexed, "deleted": deleted}
        return refresh.IndexUpdate(lexical=lexical, vectors=vectors)

    unchanged = {"added": 0, "removed": 0, "total": 9, "rebuilt": False}
    assert not update(vectors=unchanged).changed and not update().changed
    assert not refresh.IndexUpdate(busy="another process is writing").changed
    assert update(action="rebuilt").changed
    assert update(indexed=1).changed and update(deleted=2).changed
    assert update(vectors={**unchanged, "added": 3}).changed
    assert update(vectors={**unchanged, "removed": 1}).changed
    assert update(vectors={**unchanged, "rebuilt": True}).changed

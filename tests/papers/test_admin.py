"""The Paper admin (papers/admin.py) with a staff client: pages, hide/unhide."""

from __future__ import annotations

import pytest
from django.contrib import admin

from paperfeed.community import votes
from paperfeed.papers.admin import PaperAdmin
from paperfeed.papers.models import Paper
from tests.community.factories import admin_action, logged_in, make_paper, make_user


def test_the_papers_app_owns_the_paper_admin():
    assert type(admin.site._registry[Paper]) is PaperAdmin


@pytest.mark.django_db
def test_admin_pages_render(staff):
    paper = make_paper()
    for url in (
        "/admin/papers/paper/",
        "/admin/papers/paper/?hidden__exact=1",
        f"/admin/papers/paper/{paper.pk}/change/",
        "/admin/papers/author/",
    ):
        assert staff.get(url).status_code == 200, url


@pytest.mark.django_db
def test_hide_paper_removes_it_everywhere(staff):
    paper, other = make_paper(), make_paper()
    alice = make_user("alice")
    admin_action(staff, "/admin/papers/paper/", "hide_papers", [paper.pk])
    assert list(Paper.objects.visible().values_list("pk", flat=True)) == [other.pk]
    assert logged_in(alice).post(f"/papers/{paper.pk}/vote").status_code == 404
    with pytest.raises(votes.VoteError):
        votes.toggle_vote(alice, paper.pk)
    admin_action(staff, "/admin/papers/paper/", "unhide_papers", [paper.pk])
    assert Paper.objects.visible().count() == 2

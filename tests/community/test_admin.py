"""Moderation of the community's models through the Django admin with a staff client: comments
and votes (papers: tests/papers/test_admin.py, users: tests/accounts/test_admin.py)."""

from __future__ import annotations

import pytest

from paperfeed.community import comments, votes
from paperfeed.community.models import Comment, Vote
from paperfeed.papers.models import Paper
from tests.community.factories import admin_action, logged_in, make_user


@pytest.mark.django_db
def test_admin_pages_render(staff, paper, alice):
    comment = comments.add_comment(alice, paper.pk, "hello")
    votes.set_vote(alice, paper.pk, True)
    for url in (
        "/admin/community/comment/",
        f"/admin/community/comment/{comment.pk}/change/",
        "/admin/community/vote/",
        "/admin/community/submission/",
    ):
        assert staff.get(url).status_code == 200, url


@pytest.mark.django_db
def test_hide_and_unhide_comments(staff, paper, alice):
    spam = comments.add_comment(alice, paper.pk, "buy now")
    kept = comments.add_comment(alice, paper.pk, "useful")
    admin_action(staff, "/admin/community/comment/", "hide_comments", [spam.pk])
    assert [c.body for c in comments.for_paper(paper.pk)] == ["useful"]
    assert Comment.objects.get(pk=spam.pk).hidden and not Comment.objects.get(pk=kept.pk).hidden
    admin_action(staff, "/admin/community/comment/", "unhide_comments", [spam.pk])
    assert len(comments.for_paper(paper.pk)) == 2


@pytest.mark.django_db
def test_editing_a_comment_in_the_admin_re_sanitises(staff, paper, alice):
    comment = comments.add_comment(alice, paper.pk, "fine")
    response = staff.post(
        f"/admin/community/comment/{comment.pk}/change/",
        {
            "paper": paper.pk,
            "user": alice.pk,
            "parent": "",
            "body": "[x](javascript:alert(1)) <script>bad()</script>",
        },
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert "<script>" not in comment.body_html and 'href="javascript' not in comment.body_html


@pytest.mark.django_db
def test_deleting_votes_in_the_admin_keeps_counts(staff, paper, alice, bob):
    votes.set_vote(alice, paper.pk, True)
    votes.set_vote(bob, paper.pk, True)
    bobs = Vote.objects.get(user=bob)
    response = staff.post(
        "/admin/community/vote/",
        {
            "action": "delete_selected",
            "_selected_action": [str(bobs.pk)],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert Paper.objects.get(pk=paper.pk).upvotes == 1 == Vote.objects.count()
    assert staff.get("/admin/community/vote/add/").status_code == 403


@pytest.mark.django_db
def test_admin_actions_need_csrf(paper, alice):
    spam = comments.add_comment(alice, paper.pk, "spam")
    client = logged_in(make_user("mod2", is_staff=True, is_superuser=True), enforce_csrf=True)
    response = client.post(
        "/admin/community/comment/", {"action": "hide_comments", "_selected_action": [str(spam.pk)]}
    )
    assert response.status_code == 403
    assert not Comment.objects.get(pk=spam.pk).hidden


@pytest.mark.django_db
def test_non_staff_cannot_moderate(paper, alice):
    spam = comments.add_comment(alice, paper.pk, "spam")
    response = logged_in(alice).post(
        "/admin/community/comment/", {"action": "hide_comments", "_selected_action": [str(spam.pk)]}
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Comment.objects.get(pk=spam.pk).hidden

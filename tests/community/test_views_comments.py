"""Comment routes: POST add (htmx partial or redirect), edit/delete own only, CSRF, no GET
state change, escaped output, bounded queries."""

from __future__ import annotations

import pytest
from django.test import Client

from paperfeed.community import comments
from paperfeed.community.models import Comment
from tests.community.factories import logged_in, make_user

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.django_db
def test_get_partial_lists_threads_with_bounded_queries(
    paper, alice, bob, django_assert_max_num_queries
):
    for i in range(10):
        top = comments.add_comment(alice, paper.pk, f"top {i}")
        comments.add_comment(bob, paper.pk, f"reply {i}", parent_id=top.pk)
    client = logged_in(bob)
    with django_assert_max_num_queries(6):
        response = client.get(f"/papers/{paper.pk}/comments")
    html = response.content.decode()
    assert response.status_code == 200 and html.count('class="comment"') == 20
    assert html.count(">Edit</a>") == 10  # bob's own replies only
    assert 'name="parent"' in html and 'name="csrfmiddlewaretoken"' in html
    assert Comment.objects.count() == 20


@pytest.mark.django_db
def test_htmx_add_returns_the_block(paper, alice_client):
    response = alice_client.post(f"/papers/{paper.pk}/comments", {"body": "Great **work**"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<section id="comments"' in html and "<strong>work</strong>" in html


@pytest.mark.django_db
def test_plain_add_redirects_to_the_comment(paper, alice_client):
    response = alice_client.post(f"/papers/{paper.pk}/comments", {"body": "hello"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/papers/{paper.pk}#comment-{comment.pk}"


@pytest.mark.django_db
def test_reply_through_the_view(paper, alice, bob):
    top = comments.add_comment(alice, paper.pk, "question")
    logged_in(bob).post(f"/papers/{paper.pk}/comments", {"body": "answer", "parent": top.pk})
    assert Comment.objects.get(body="answer").parent_id == top.pk
    bad = logged_in(bob).post(
        f"/papers/{paper.pk}/comments", {"body": "x", "parent": "1 OR 1"}, **HTMX
    )
    assert "parent must be a comment number" in bad.content.decode()


@pytest.mark.django_db
def test_errors_are_shown_in_the_partial(paper, alice_client):
    response = alice_client.post(f"/papers/{paper.pk}/comments", {"body": "  "}, **HTMX)
    assert response.status_code == 200 and "the comment is empty" in response.content.decode()
    assert Comment.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_goes_to_login(paper):
    client = Client()
    plain = client.post(f"/papers/{paper.pk}/comments", {"body": "hi"})
    assert plain.status_code == 302 and plain["Location"].startswith("/accounts/login/?next=")
    htmx = client.post(f"/papers/{paper.pk}/comments", {"body": "hi"}, **HTMX)
    assert htmx["HX-Redirect"].startswith("/accounts/login/")
    assert "Log in</a> to comment" in client.get(f"/papers/{paper.pk}/comments").content.decode()
    assert Comment.objects.count() == 0


@pytest.mark.django_db
def test_comment_text_is_escaped_in_the_page(paper, alice_client):
    alice_client.post(
        f"/papers/{paper.pk}/comments",
        {"body": '<script>alert(1)</script> "><img src=x onerror=alert(1)>'},
    )
    html = alice_client.get(f"/papers/{paper.pk}/comments").content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_edit_own(paper, alice, alice_client):
    mine = comments.add_comment(alice, paper.pk, "draft <b>")
    form = alice_client.get(f"/comments/{mine.pk}/edit")
    assert form.status_code == 200 and "draft &lt;b&gt;" in form.content.decode()
    mine.refresh_from_db()
    assert mine.edited is None  # GET changed nothing
    response = alice_client.post(f"/comments/{mine.pk}/edit", {"body": "final"})
    assert response.status_code == 302
    assert response["Location"] == f"/papers/{paper.pk}#comment-{mine.pk}"
    mine.refresh_from_db()
    assert mine.body == "final" and mine.edited is not None


@pytest.mark.django_db
def test_others_comments_are_forbidden(paper, alice, bob):
    mine = comments.add_comment(alice, paper.pk, "alice's")
    client = logged_in(bob)
    assert client.get(f"/comments/{mine.pk}/edit").status_code == 403
    assert client.post(f"/comments/{mine.pk}/edit", {"body": "hijack"}).status_code == 403
    assert client.post(f"/comments/{mine.pk}/delete").status_code == 403
    mine.refresh_from_db()
    assert mine.body == "alice's"
    assert client.post("/comments/999999/delete").status_code == 404


@pytest.mark.django_db
def test_delete_own_is_post_only(paper, alice, alice_client):
    mine = comments.add_comment(alice, paper.pk, "oops")
    assert alice_client.get(f"/comments/{mine.pk}/delete").status_code == 405
    assert Comment.objects.filter(pk=mine.pk).exists()
    response = alice_client.post(f"/comments/{mine.pk}/delete", **HTMX)
    assert response.status_code == 200 and "No comments yet." in response.content.decode()
    assert not Comment.objects.filter(pk=mine.pk).exists()


@pytest.mark.django_db
def test_every_comment_post_needs_csrf(paper, alice):
    mine = comments.add_comment(alice, paper.pk, "kept")
    client = logged_in(alice, enforce_csrf=True)
    assert client.post(f"/papers/{paper.pk}/comments", {"body": "x"}).status_code == 403
    assert client.post(f"/comments/{mine.pk}/edit", {"body": "x"}).status_code == 403
    assert client.post(f"/comments/{mine.pk}/delete").status_code == 403
    assert list(Comment.objects.values_list("body", flat=True)) == ["kept"]


@pytest.mark.django_db
def test_deactivated_author_is_refused(paper):
    user = make_user("mallory")
    client = logged_in(user)
    user.is_active = False
    user.save()
    response = client.post(f"/papers/{paper.pk}/comments", {"body": "spam"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Comment.objects.count() == 0

"""The "More / less like this" on the site: POST only, CSRF, wanted-state toggling, htmx partial,
anonymous users sent to log in, bounded queries, and the email link's shared recorder."""

from __future__ import annotations

import pytest
from django.test import Client

from paperfeed.digests import feedback
from paperfeed.digests.models import Feedback, Subscriber
from tests.community.factories import logged_in, make_paper, make_user

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def paper():
    return make_paper("2501.00042", title="Sparse attention kernels")


@pytest.fixture
def alice():
    return make_user("alice")


def url(paper) -> str:
    return f"/papers/{paper.pk}/feedback"


def signal_of(user, paper):
    return Feedback.objects.filter(user=user, paper=paper).values_list("signal", flat=True).first()


def test_paper_page_shows_the_buttons_in_the_users_state(paper, alice):
    client = logged_in(alice)
    page = client.get(f"/papers/{paper.pk}").content.decode()
    assert 'action="/papers/2501.00042/feedback"' in page
    assert "More like this" in page and "Less like this" in page
    assert 'name="csrfmiddlewaretoken"' in page
    feedback.set_feedback(alice, paper.pk, 1)
    page = client.get(f"/papers/{paper.pk}").content.decode()
    assert 'class="button feedback-more active"' in page
    assert 'name="signal" value="0" class="button feedback-more' in page  # clicking again clears


def test_anonymous_page_links_to_login_and_post_redirects(paper):
    client = Client()
    page = client.get(f"/papers/{paper.pk}").content.decode()
    assert "feedback-login" in page and "/accounts/login/?next=" in page
    response = client.post(url(paper), {"signal": "1"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    htmx = client.post(url(paper), {"signal": "1"}, **HTMX)
    assert htmx["HX-Redirect"].startswith("/accounts/login/?next=")
    assert not Feedback.objects.exists()


def test_csrf_is_enforced(paper, alice):
    client = logged_in(alice, enforce_csrf=True)
    assert client.post(url(paper), {"signal": "1"}).status_code == 403
    assert not Feedback.objects.exists()
    client.get(f"/papers/{paper.pk}")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.post(url(paper), {"signal": "1", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert signal_of(alice, paper) == 1


def test_get_never_changes_state(paper, alice):
    client = logged_in(alice)
    assert client.get(url(paper), {"signal": "1"}).status_code == 405
    assert not Feedback.objects.exists()


def test_toggling_with_wanted_states(paper, alice):
    client = logged_in(alice)
    client.post(url(paper), {"signal": "1"})
    assert signal_of(alice, paper) == 1
    client.post(url(paper), {"signal": "1"})  # a double click keeps it
    assert signal_of(alice, paper) == 1
    client.post(url(paper), {"signal": "-1"})  # switching replaces, one row
    assert signal_of(alice, paper) == -1 and Feedback.objects.count() == 1
    client.post(url(paper), {"signal": "0"})  # the active button again clears it
    assert signal_of(alice, paper) is None and not Feedback.objects.exists()


def test_htmx_returns_the_partial_in_its_new_state(paper, alice):
    response = logged_in(alice).post(url(paper), {"signal": "-1", "next": "/trending"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<form class="feedback-form"') and "<html" not in body
    assert 'class="button feedback-less active"' in body
    assert 'name="signal" value="0" class="button feedback-less' in body
    assert 'value="/trending"' in body


def test_bad_signal_unknown_paper_and_unsafe_next(paper, alice):
    client = logged_in(alice)
    assert client.post(url(paper), {"signal": "5"}, **HTMX).status_code == 400
    assert client.post("/papers/2501.99999/feedback", {"signal": "1"}).status_code == 404
    response = client.post(url(paper), {"signal": "1", "next": "https://evil.example/"})
    assert response["Location"] == f"/papers/{paper.pk}"
    assert not Feedback.objects.filter(signal=5).exists()


def test_hidden_paper_and_inactive_user_are_refused(paper, alice):
    hidden = make_paper("2501.00043", deleted=True)
    assert logged_in(alice).post(url(hidden), {"signal": "1"}).status_code == 404
    with pytest.raises(feedback.FeedbackError, match="no paper"):
        feedback.set_feedback(alice, hidden.pk, 1)
    with pytest.raises(feedback.FeedbackError, match="log in"):
        feedback.set_feedback(None, paper.pk, 1)
    with pytest.raises(feedback.FeedbackError, match="signal"):
        feedback.set_feedback(alice, paper.pk, 2)
    alice.is_active = False
    with pytest.raises(feedback.FeedbackError, match="deactivated"):
        feedback.set_feedback(alice, paper.pk, 1)


def test_query_counts_are_bounded(paper, alice, django_assert_max_num_queries):
    client = logged_in(alice)
    with django_assert_max_num_queries(12):
        client.post(url(paper), {"signal": "1"}, **HTMX)
    with django_assert_max_num_queries(12):
        client.post(url(paper), {"signal": "0"}, **HTMX)


def test_site_and_email_feedback_share_one_row_per_user(paper, alice):
    subscriber = Subscriber.objects.create(email="alice@example.org", user=alice, status="active")
    feedback.record_feedback(subscriber, paper, -1)  # from the email link
    feedback.set_feedback(alice, paper.pk, 1)  # then on the site
    row = Feedback.objects.get()
    assert (row.signal, row.subscriber_id, row.user_id) == (1, subscriber.pk, alice.pk)
    assert feedback.current_feedback(alice, paper.pk) == 1
    assert feedback.feedback_by_paper(alice, [paper.pk, "2501.00099"]) == {paper.pk: 1}

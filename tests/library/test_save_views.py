"""The Save button: one click puts a paper in "Read later" (made on first use), with htmx the
button becomes "Saved to Read later" and a menu of the other collections; cards say Saved."""

from __future__ import annotations

from django.test import Client

from paperfeed.library import collections as col
from paperfeed.library.models import Collection, CollectionItem

P1, P2 = "2503.00001", "2503.00002"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_one_click_save_with_htmx(alice, papers):
    client = logged_in(alice)
    other = col.create(alice, "Diffusion")
    response = client.post(
        "/collections/save", {"paper": P1, "next": "/day/2025-03-18"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'role="status">Saved to Read later<' in html
    assert f'action="/collections/{other.pk}/add"' in html  # the menu: another collection
    read_later = Collection.objects.get(owner=alice, is_default=True)
    assert [i.paper_id for i in col.items_of(read_later)] == [P1]
    more = client.post(f"/collections/{other.pk}/add", {"paper": P1}, HTTP_HX_REQUEST="true")
    assert "Saved to Diffusion" in more.content.decode()
    new = client.post(
        "/collections/save/new", {"paper": P1, "name": "Brand new"}, HTTP_HX_REQUEST="true"
    )
    assert "Saved to Brand new" in new.content.decode()
    assert CollectionItem.objects.filter(paper_id=P1).count() == 3


def test_without_javascript_back_to_next_with_a_message(alice, papers):
    client = logged_in(alice)
    response = client.post("/collections/save", {"paper": P1, "next": "/day/2025-03-18"})
    assert response.status_code == 302 and response.url == "/day/2025-03-18"
    page = client.get("/day/2025-03-18").content.decode()
    assert "Saved to Read later." in page
    refused = client.post("/collections/save/new", {"paper": "nope", "name": "x"})
    assert refused.status_code == 404 and not Collection.objects.filter(name="x").exists()


def test_cards_and_paper_page_say_saved(alice, papers):
    client = logged_in(alice)
    day = client.get("/day/2025-03-18").content.decode()
    assert day.count('class="save-button"') == 3  # one per card, none saved
    col.save(alice, P2)
    day = client.get("/day/2025-03-18").content.decode()
    assert day.count('class="save-button saved"') == 1
    assert 'class="save-button saved"' in client.get(f"/papers/{P2}").content.decode()


def test_anonymous_is_sent_to_log_in(papers):
    response = Client().post("/collections/save", {"paper": P1})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Collection.objects.exists()
    assert "save-widget" not in Client().get("/day/2025-03-18").content.decode()


def test_a_refusal_is_said_in_the_widget(alice, papers):
    client = logged_in(alice)
    response = client.post(
        "/collections/save/new", {"paper": P1, "name": "   "}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'role="status">Not saved: the name is empty<' in response.content.decode()
    assert not Collection.objects.exists()
    plain = client.post("/collections/save/new", {"paper": P1, "name": "", "next": "/"})
    assert plain.status_code == 302 and plain.url == "/"

"""Subscribe / manage forms: time zones from a <select> (common first, validated), categories
as checkboxes grouped by archive (arXiv's cs list + the store's + the subscription's own); an
unknown one such as cs.XX is refused with a message naming it."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from paperfeed.digests import tokens
from paperfeed.digests.forms import PreferencesForm, SubscribeForm
from paperfeed.digests.models import Subscriber
from paperfeed.papers.models import Paper

pytestmark = pytest.mark.django_db

FORM = {
    "email": "ada@example.org",
    "frequency": "weekly",
    "send_hour": "8",
    "timezone": "Europe/Paris",
    "top_n": "5",
    "categories": ["cs.LG", "cs.CL"],
}


def test_the_page_offers_choices_not_free_text():
    page = Client().get("/subscribe").content.decode()
    assert '<select name="timezone"' in page
    assert page.index('<option value="UTC"') < page.index('<option value="Africa/Abidjan"')
    assert '<optgroup label="Common">' in page and 'value="Pacific/Auckland"' in page
    assert 'type="checkbox" name="categories" value="cs.LG"' in page
    assert "cs.LG Machine Learning" in page


def test_unknown_category_and_time_zone_are_refused_naming_them():
    response = Client().post("/subscribe", {**FORM, "categories": ["cs.LG", "cs.XX"]})
    page = response.content.decode()
    assert "cs.XX is not an arXiv category" in page
    response = Client().post("/subscribe", {**FORM, "timezone": "Mars/Olympus"})
    assert "Mars/Olympus is not a known time zone" in response.content.decode()
    assert not Subscriber.objects.exists() and not mail.outbox


def test_valid_choices_are_stored_as_the_model_keeps_them():
    form = SubscribeForm(FORM)
    assert form.is_valid(), form.errors
    assert form.preferences()["categories"] == "cs.LG cs.CL"
    assert form.preferences()["timezone"] == "Europe/Paris"


def test_store_categories_are_offered_grouped_by_archive():
    Paper.objects.create(
        arxiv_id="2501.00001", title="t", abstract="a", primary_category="q-bio.NC"
    )
    form = SubscribeForm()
    groups = dict(form.fields["categories"].choices)
    assert ("q-bio.NC", "q-bio.NC") in groups["q-bio"]
    assert list(groups)[0] == "cs"
    assert SubscribeForm({**FORM, "categories": ["q-bio.NC"]}).is_valid()


def test_manage_shows_the_current_choices_and_keeps_an_older_value_valid():
    sub = Subscriber.objects.create(
        email="ada@example.org", status="active", categories="cs.LG hep-th", timezone="Asia/Tokyo"
    )
    form = PreferencesForm(instance=sub)
    assert form.initial["categories"] == ["cs.LG", "hep-th"]
    page = Client().get(f"/subscribe/manage/{tokens.make_token(sub, 'manage')}").content.decode()
    assert re.search(r'value="hep-th" id="id_categories_\d+_\d+" checked', page)
    assert not re.search(r'value="cs.CL" id="id_categories_\d+_\d+" checked', page)
    assert '<option value="Asia/Tokyo" selected>' in page
    data = {k: v for k, v in FORM.items() if k != "email"} | {"categories": ["hep-th"]}
    assert PreferencesForm(data, instance=sub).is_valid()

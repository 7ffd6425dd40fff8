"""The claim pages: "This is me" on the paper page, the form with namesakes and evidence, making,
listing and withdrawing claims, the limit, and approved authors linking to the profile."""

from __future__ import annotations

import re

from django.test import override_settings

from paperfeed.claims import claims
from paperfeed.claims.models import Claim
from paperfeed.papers.models import Author
from tests.api.conftest import store


def test_the_paper_page_offers_this_is_me_to_members_only(client, alice, papers, turing):
    assert "This is me" not in client.get("/papers/2503.00001").content.decode()
    client.force_login(alice)
    page = client.get("/papers/2503.00001").content.decode()
    assert f'href="/claims/new?author={turing.pk}&amp;paper=2503.00001">I am Alan Turing' in page


def test_the_form_shows_namesakes_with_their_papers_and_the_evidence(client, alice, papers, turing):
    store(
        {
            "id": "2504.00001",
            "title": "Morphogenesis",
            "authors": ["A. Turing"],
            "categories": ["q-bio"],
            "listed": "2025-04-01",
        }
    )
    client.force_login(alice)
    page = client.get(f"/claims/new?author={turing.pk}&paper=2503.00001").content.decode()
    other = Author.objects.get(name="A. Turing")
    assert f'value="{turing.pk}" checked' in page and f'value="{other.pk}"' in page
    assert "Morphogenesis" in page and "Graph neural networks for molecules" in page
    assert "Papers under Alan Turing: 2" in page
    assert client.get("/claims/new?author=99999").status_code == 404
    assert client.get("/claims/new?author=x").status_code == 400


def test_claim_needs_login(client, papers, turing):
    response = client.get(f"/claims/new?author={turing.pk}")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post("/claims/new", {"author": turing.pk}).status_code == 302
    assert not Claim.objects.exists()


def test_make_list_and_withdraw(client, alice, papers, turing):
    client.force_login(alice)
    bad = client.post("/claims/new", {"author": turing.pk, "orcid": "0000-0002-1825-0098"})
    assert bad.status_code == 400 and "wrong check digit" in bad.content.decode()
    response = client.post(
        "/claims/new", {"author": turing.pk, "note": "It is me", "orcid": ""}, follow=True
    )
    page = response.content.decode()
    assert "waits for a moderator" in page and "Alan Turing" in page and "pending" in page
    claim = Claim.objects.get()
    assert claim.note == "It is me"
    assert client.post("/claims/new", {"author": turing.pk}).status_code == 400  # already claimed
    assert client.get(f"/claims/{claim.pk}/withdraw").status_code == 405
    page = client.post(f"/claims/{claim.pk}/withdraw", follow=True).content.decode()
    assert "is withdrawn" in page
    assert client.post(f"/claims/{claim.pk}/withdraw").status_code == 400
    assert client.post("/claims/99999/withdraw").status_code == 404


@override_settings(PAPERFEED_CLAIM_AUTO_APPROVE="name")
def test_auto_approved_claim(client, alice, ada):
    client.force_login(alice)  # alice's full name is Ada Lovelace
    page = client.post("/claims/new", {"author": ada.pk}, follow=True).content.decode()
    assert "You are Ada Lovelace here now" in page
    assert Claim.objects.get().auto_rule == "name"


@override_settings(PAPERFEED_LIMIT_CLAIM="1/d/user")
def test_claims_are_rate_limited(client, alice, turing, ada):
    client.force_login(alice)
    assert client.post("/claims/new", {"author": turing.pk}).status_code == 302
    refused = client.post("/claims/new", {"author": ada.pk})
    assert refused.status_code == 429 and "claims to be an author" in refused.content.decode()
    assert Claim.objects.count() == 1


def test_an_approved_author_links_to_the_profile_which_lists_the_papers(
    client, alice, bob, papers, turing
):
    claims.approve(claims.make(alice, turing).pk, bob)
    link = '<a class="claimed" href="/users/alice" title="alice on paperfeed">Alan Turing</a>'
    assert link in client.get("/papers/2503.00003").content.decode()
    assert link in client.get("/day/2025-03-18").content.decode()  # the cards
    assert '<a href="/authors/' in client.get("/papers/2503.00002").content.decode()
    page = client.get("/users/alice?tab=papers").content.decode()
    assert "Papers by alice" in page and "2 papers" in page
    found = re.findall(r'href="/papers/(2503\.\d+)"', page)
    assert found.index("2503.00003") < found.index("2503.00001")  # newest first
    assert client.get("/users/alice?tab=nope").status_code == 400

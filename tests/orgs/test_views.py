"""The organisation pages: /orgs/new, /orgs/<slug> (a local organisation, else Hugging Face's
page as before), members and roles, attaching a paper from its page, the card's badge and
following an organisation."""

from __future__ import annotations

import re

import pytest

from paperfeed.orgs import core
from paperfeed.orgs.models import Membership, Organisation, OrgPaper
from paperfeed.personal import follows
from paperfeed.personal.models import Follow
from paperfeed.signals.models import PaperSignals
from tests.web.conftest import make_user, record, store

pytestmark = pytest.mark.django_db


def ids_in(html: str) -> list[str]:
    return re.findall(r'<span class="id">arXiv:([^<]+)</span>', html)


@pytest.fixture
def ann(client):
    user = make_user("ann")
    client.force_login(user)
    return user


@pytest.fixture
def lab(ann):
    return core.create(ann, "ada-lab", "Ada Lab", description="We read papers.")


def test_create_an_organisation_from_the_form(client, ann):
    assert client.get("/orgs/new").status_code == 200
    response = client.post("/orgs/new", {"slug": "ada-lab", "name": "Ada Lab"})
    assert response.status_code == 302 and response["Location"] == "/orgs/ada-lab"
    org = Organisation.objects.get()
    assert core.role_of(ann, org) == "owner"
    page = client.get("/orgs/ada-lab").content.decode()
    assert "<h1>Ada Lab</h1>" in page and "Owner" in page and "Created Ada Lab" in page


def test_bad_input_shows_the_form_again_with_the_reason(client, ann):
    response = client.post("/orgs/new", {"slug": "Ada!", "name": "Ada Lab"})
    assert response.status_code == 400
    assert "lower-case letters, digits or hyphens" in response.content.decode()
    assert not Organisation.objects.exists()


def test_creating_needs_a_login(client):
    response = client.post("/orgs/new", {"slug": "ada-lab", "name": "Ada Lab"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Organisation.objects.exists()


def test_creating_is_rate_limited(client, ann, settings):
    settings.PAPERFEED_LIMIT_ORG = "1/d/user"
    assert client.post("/orgs/new", {"slug": "a-lab", "name": "A Lab"}).status_code == 302
    response = client.post("/orgs/new", {"slug": "b-lab", "name": "B Lab"})
    assert response.status_code == 429 and "Too many new organisations" in response.content.decode()
    assert Organisation.objects.count() == 1


def test_the_page_lists_attached_and_claimed_papers_newest_first(client, ann, lab):
    old, new, hf, other = store(
        record("2025-03-10"), record("2025-03-18"), record("2025-03-14"), record("2025-03-12")
    )
    core.attach(ann, lab, old.pk)
    core.attach(ann, lab, new.pk)
    PaperSignals.objects.create(paper=hf, org_name="AdaHF", org_fullname="Ada on HF")
    core.claim(ann, lab, "AdaHF")
    assert ids_in(client.get("/orgs/ada-lab").content.decode()) == [new.pk, old.pk]  # pending
    core.decide_claim(lab, True)
    page = client.get("/orgs/ada-lab").content.decode()
    assert ids_in(page) == [new.pk, hf.pk, old.pk]
    assert other.pk not in page and "3 papers, newest first" in page
    # the Hugging Face name's page now leads to the local organisation
    response = client.get("/orgs/AdaHF")
    assert response.status_code == 302 and response["Location"] == "/orgs/ada-lab"
    assert client.get("/orgs/ada-lab?page=0").status_code == 400


def test_without_a_local_organisation_the_hugging_face_page_stays(client):
    (paper,) = store(record("2025-03-18"))
    PaperSignals.objects.create(paper=paper, org_name="acme-ai", org_fullname="Acme AI")
    page = client.get("/orgs/acme-ai").content.decode()
    assert "Acme AI" in page and ids_in(page) == [paper.pk]
    assert client.get("/orgs/nobody").status_code == 404


def test_attach_a_paper_from_its_page(client, ann, lab):
    (paper,) = store(record("2025-03-18"))
    html = client.get(f"/papers/{paper.pk}").content.decode()
    assert "Add to my organisation" in html and 'name="org" value="ada-lab"' in html
    back = f"/papers/{paper.pk}"
    response = client.post("/orgs/attach", {"org": "ada-lab", "paper": paper.pk, "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert OrgPaper.objects.filter(org=lab, paper=paper).exists()
    html = client.get(back).content.decode()
    assert '<a class="badge org" href="/orgs/ada-lab">Ada Lab</a>' in html
    assert "Add to my organisation" not in html  # in its only organisation already
    client.post("/orgs/ada-lab/papers/remove", {"paper": paper.pk})
    assert not OrgPaper.objects.exists()


def test_an_outsider_cannot_attach(client, lab):
    (paper,) = store(record("2025-03-18"))
    client.force_login(make_user("eve"))
    assert "Add to my organisation" not in client.get(f"/papers/{paper.pk}").content.decode()
    response = client.post("/orgs/attach", {"org": "ada-lab", "paper": paper.pk})
    assert response.status_code == 403 and not OrgPaper.objects.exists()
    assert client.post("/orgs/attach", {"org": "nope", "paper": paper.pk}).status_code == 404


def test_the_card_shows_the_local_badge_else_hugging_faces(client, ann, lab):
    mine, theirs = store(record("2025-03-18"), record("2025-03-18"))
    PaperSignals.objects.create(paper=mine, org_name="acme-ai", org_fullname="Acme AI")
    PaperSignals.objects.create(paper=theirs, org_name="acme-ai", org_fullname="Acme AI")
    core.attach(ann, lab, mine.pk)
    html = client.get("/day/2025-03-18").content.decode()
    cards = dict(re.findall(r'id="paper-([\d-]+)"(.*?)</article>', html, re.S))
    assert 'class="badge org" href="/orgs/ada-lab">Ada Lab</a>' in cards[mine.pk.replace(".", "")]
    assert "huggingface.co/acme-ai" not in cards[mine.pk.replace(".", "")]
    assert 'href="https://huggingface.co/acme-ai">Acme AI</a>' in cards[theirs.pk.replace(".", "")]


def test_members_page_manages_roles(client, ann, lab):
    make_user("bob")
    client.post("/orgs/ada-lab/members/add", {"username": "bob", "role": "admin"})
    assert Membership.objects.get(user__username="bob").role == "admin"
    page = client.get("/orgs/ada-lab/members").content.decode()
    assert "bob" in page and "Set role" in page and "Settings" in page
    response = client.post("/orgs/ada-lab/members/remove", {"username": "ann"})
    assert (
        response.status_code == 400 and "must keep at least one owner" in response.content.decode()
    )
    client.force_login(make_user("eve"))
    assert client.post("/orgs/ada-lab/members/add", {"username": "eve"}).status_code == 403
    assert "Set role" not in client.get("/orgs/ada-lab/members").content.decode()


def test_owners_edit_and_claim(client, ann, lab):
    data = {"name": "Ada Lab 2", "avatar": "", "description": "New.", "hf_name": "AdaHF"}
    assert client.post("/orgs/ada-lab/edit", data).status_code == 302
    lab.refresh_from_db()
    assert (lab.name, lab.description, lab.hf_name, lab.hf_status) == (
        "Ada Lab 2", "New.", "AdaHF", "pending"
    )  # fmt: skip


def test_follow_a_local_organisation(client, ann, lab):
    (paper, hf) = store(record("2025-03-18"), record("2025-03-17"))
    core.attach(ann, lab, paper.pk)
    page = client.get("/orgs/ada-lab").content.decode()
    assert 'name="kind" value="org"' in page and 'name="value" value="ada-lab"' in page
    client.post("/follows", {"kind": "org", "value": "ada-lab", "next": "/orgs/ada-lab"})
    row = Follow.objects.get(user=ann)
    assert (row.kind, row.value, row.label) == ("org", "ada-lab", "Ada Lab")
    assert "✓ Following" in client.get("/orgs/ada-lab").content.decode()
    assert list(follows.papers_of(row).values_list("pk", flat=True)) == [paper.pk]
    PaperSignals.objects.create(paper=hf, org_name="AdaHF")
    core.claim(ann, lab, "AdaHF")
    core.decide_claim(lab, True)
    assert list(follows.papers_of(row).values_list("pk", flat=True)) == [paper.pk, hf.pk]
    matched = follows.matched_by(ann, [paper.pk, hf.pk])
    assert matched == {paper.pk: [row], hf.pk: [row]}


def test_a_follow_of_the_hugging_face_name_includes_the_attached_papers(client, ann, lab):
    (paper, hf) = store(record("2025-03-18"), record("2025-03-17"))
    PaperSignals.objects.create(paper=hf, org_name="AdaHF")
    row, _ = follows.follow(ann, "org", "AdaHF")
    core.attach(ann, lab, paper.pk)
    core.claim(ann, lab, "AdaHF")
    assert list(follows.papers_of(row).values_list("pk", flat=True)) == [hf.pk]  # pending
    core.decide_claim(lab, True)
    assert list(follows.papers_of(row).values_list("pk", flat=True)) == [paper.pk, hf.pk]
    assert set(follows.matched_by(ann, [paper.pk, hf.pk])) == {paper.pk, hf.pk}

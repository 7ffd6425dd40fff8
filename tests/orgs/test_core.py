"""orgs/core.py: creating organisations, roles (admins manage members, owners manage admins,
one owner always remains), the limits, attaching papers and the Hugging Face claim."""

from __future__ import annotations

import pytest

from paperfeed.orgs import core
from paperfeed.orgs.models import Membership, Organisation, OrgPaper
from paperfeed.signals.models import PaperSignals
from tests.web.conftest import make_user, record, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann():
    return make_user("ann")


@pytest.fixture
def lab(ann):
    return core.create(ann, "ada-lab", "Ada Lab", description="We read papers.")


def role(org, name):
    return Membership.objects.get(org=org, user__username=name).role


def test_the_creator_owns_the_new_organisation(ann, lab):
    assert (lab.slug, lab.name, lab.hf_name, lab.hf_status) == ("ada-lab", "Ada Lab", None, "")
    assert role(lab, "ann") == "owner" and core.role_of(ann, lab) == "owner"
    assert [o.slug for o in core.orgs_of(ann)] == ["ada-lab"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"slug": "Ada Lab!"}, "lower-case letters, digits or hyphens"),
        ({"slug": "new"}, "lower-case letters"),
        ({"slug": "-ada"}, "lower-case letters"),
        ({"name": "x"}, "a name must be 2 to 100 characters"),
        ({"avatar": "http://cdn-avatars.huggingface.co/a.png"}, "must be an https URL"),
        ({"avatar": "javascript:alert(1)"}, "must be an https URL"),
        ({"avatar": "https://evil.example/a.png"}, "image hosts this site shows"),
        ({"description": "x" * 2001}, "at most 2000 characters"),
        ({"hf_name": "a b"}, "is not a Hugging Face organisation name"),
    ],
)
def test_bad_input_is_refused_with_the_reason(ann, fields, message):
    values = {"slug": "ok-lab", "name": "OK Lab", **fields}
    with pytest.raises(core.OrgError, match=message):
        core.create(ann, **values)
    assert not Organisation.objects.exists()


def test_an_avatar_on_an_allowed_host_is_kept(ann):
    url = "https://cdn-avatars.huggingface.co/v1/a.png"
    assert core.create(ann, "a-lab", "A Lab", avatar=url).avatar == url


def test_a_taken_address_or_a_hugging_face_name_is_refused(ann, lab):
    with pytest.raises(core.OrgError, match="/orgs/ada-lab is taken"):
        core.create(make_user("bob"), "ada-lab", "Other")
    (paper,) = store(record("2025-03-18"))
    PaperSignals.objects.create(paper=paper, org_name="Acme")
    with pytest.raises(core.OrgError, match="Hugging Face organisation's name here"):
        core.create(ann, "acme", "Acme")


def test_one_user_owns_at_most_five(ann):
    for i in range(core.MAX_OWNED):
        core.create(ann, f"lab-{i}", f"Lab {i}")
    with pytest.raises(core.OrgError, match="you own 5 organisations already"):
        core.create(ann, "lab-x", "Lab X")
    assert Organisation.objects.count() == core.MAX_OWNED


def test_only_signed_in_users_create():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(core.NotAllowed, match="log in"):
        core.create(AnonymousUser(), "a-lab", "A Lab")


def test_admins_manage_members_and_owners_manage_admins(ann, lab):
    bob, cat, dan = make_user("bob"), make_user("cat"), make_user("dan")
    core.add_member(ann, lab, "bob", "admin")
    core.add_member(bob, lab, "cat")  # an admin adds a member
    assert role(lab, "cat") == "member"
    with pytest.raises(core.NotAllowed, match="only an owner"):
        core.add_member(bob, lab, "dan", "admin")
    with pytest.raises(core.NotAllowed, match="only an owner"):
        core.add_member(bob, lab, "cat", "admin")  # nor promote
    with pytest.raises(core.NotAllowed, match="only an admin or owner"):
        core.add_member(cat, lab, "dan")  # a member adds nobody
    with pytest.raises(core.NotAllowed, match="only an owner"):
        core.remove_member(bob, lab, "ann")
    core.remove_member(bob, lab, "cat")
    assert core.role_of(cat, lab) is None and core.role_of(dan, lab) is None
    with pytest.raises(core.OrgError, match="no active user called 'nobody'"):
        core.add_member(ann, lab, "nobody")
    with pytest.raises(core.OrgError, match="role must be one of member, admin, owner"):
        core.add_member(ann, lab, "dan", "boss")


def test_the_last_owner_stays(ann, lab):
    bob = make_user("bob")
    with pytest.raises(core.OrgError, match="must keep at least one owner"):
        core.leave(ann, lab)
    with pytest.raises(core.OrgError, match="must keep at least one owner"):
        core.add_member(ann, lab, "ann", "admin")
    core.add_member(ann, lab, "bob", "owner")
    core.add_member(bob, lab, "ann", "member")  # now there is another owner
    assert (role(lab, "ann"), role(lab, "bob")) == ("member", "owner")
    with pytest.raises(core.OrgError, match="must keep at least one owner"):
        core.leave(bob, lab)
    core.leave(ann, lab)
    assert core.role_of(ann, lab) is None


def test_members_attach_and_detach_papers(ann, lab):
    (paper,) = store(record("2025-03-18"))
    outsider = make_user("eve")
    with pytest.raises(core.NotAllowed, match="only a member of Ada Lab"):
        core.attach(outsider, lab, paper.pk)
    assert core.attach(ann, lab, paper.pk) is True
    assert core.attach(ann, lab, paper.pk) is False  # once
    with pytest.raises(core.OrgError, match="no paper '9999.99999' here"):
        core.attach(ann, lab, "9999.99999")
    link = OrgPaper.objects.get()
    assert (link.org, link.paper_id, link.added_by) == (lab, paper.pk, ann)
    assert core.detach(ann, lab, paper.pk) is True and core.detach(ann, lab, paper.pk) is False


def test_a_claim_waits_for_a_moderator_and_is_unique(ann, lab):
    core.claim(ann, lab, "AcmeAI")
    lab.refresh_from_db()
    assert (lab.hf_name, lab.hf_status, lab.claimed_hf) == ("AcmeAI", "pending", "")
    other = core.create(make_user("bob"), "bob-lab", "Bob Lab")
    with pytest.raises(core.OrgError, match="claims 'AcmeAI' already"):
        core.claim(other.memberships.get().user, other, "AcmeAI")
    core.decide_claim(lab, True)
    assert Organisation.objects.get(pk=lab.pk).claimed_hf == "AcmeAI"
    core.claim(ann, lab, "")  # withdrawn
    assert Organisation.objects.get(pk=lab.pk).hf_status == ""
    with pytest.raises(core.NotAllowed, match="only an owner"):
        core.claim(make_user("cat"), lab, "X")

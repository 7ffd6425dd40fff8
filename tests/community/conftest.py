import pytest

from tests.community.factories import logged_in, make_paper, make_user


@pytest.fixture
def paper(db):
    return make_paper("2501.00001", title="Attention is <b>all</b> you need")


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def alice_client(alice):
    return logged_in(alice)

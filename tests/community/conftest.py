import pytest

from tests.community.factories import logged_in, make_paper, make_user
from tests.conftest import shared_file
from tests.ingest.arxiv_server import FakeArxiv, Reply


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


EMPTY_FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query: id_list=2501.99999</title>
  <id>http://arxiv.org/api/empty</id>
  <updated>2025-01-20T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:totalResults>
</feed>
"""


@pytest.fixture
def arxiv(settings):
    """A local arXiv query API: the recorded 10-entry feed for 1501.05039, nothing for others."""
    feed = shared_file("fixtures", "arxiv-api", "query_all-science_10-entries.xml").read_bytes()
    with FakeArxiv() as fake:
        fake.route("/api/query", {}, Reply(body=EMPTY_FEED))
        fake.route("/api/query", {"id_list": "1501.05039"}, Reply(body=feed))
        fake.route("/api/query", {"id_list": "2501.00500"}, Reply(status=500, body=b"down"))
        settings.PAPERFEED_ARXIV_API_URL = fake.url + "/api/query"
        settings.PAPERFEED_HARVEST_DELAY = 0
        yield fake


@pytest.fixture
def no_arxiv(settings):
    """Any request to arXiv fails the test: papers already stored must not be fetched."""
    settings.PAPERFEED_ARXIV_API_URL = "http://127.0.0.1:9/never"

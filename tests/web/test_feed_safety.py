"""Every feed, RSS and Atom, is well-formed XML whatever a stored row or the URL holds (control
characters), and carries titles and abstracts as text a feed reader will not run as markup."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from paperfeed.papers.models import Author, Paper
from paperfeed.personal import feedtokens, follows
from paperfeed.search.sync import sync_indexes

from .conftest import make_user, record, store, submit

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
DIRTY_TITLE = "Dirty\x0btitle\x01 with controls"
DIRTY_ABSTRACT = "An abstract\x0b with a vertical tab,\x01 a SOH\x1f and $\\alpha < \\beta$."
XSS_TITLE = "Markup <img src=x onerror=alert(1)> & <b>bold</b>"
XSS_ABSTRACT = 'We show $a<b$ and <img src=x onerror=alert(2)> "quoted" \\emph{x} & more.'


def feed_urls(token: str, follow_id: int, query: str) -> list[str]:
    """Every feed of the site, in both formats (the search feed's query finds the paper)."""
    public = [
        "/feeds/daily",
        "/feeds/trending",
        "/feeds/categories/cs.CL",
        "/feeds/search",
        "/feeds/users/eve",
    ]
    private = [
        f"/feeds/private/{token}/follows/{follow_id}",
        f"/feeds/private/{token}/follows",
        f"/feeds/private/{token}/for-you",
    ]
    return [
        f"{url}.{kind}" + (f"?q={query}" if url == "/feeds/search" else "")
        for url in public + private
        for kind in ("rss", "atom")
    ]


@pytest.fixture
def site(data_home, settings):
    """One paper of today in every feed: voted, submitted by eve, followed by alice, indexed."""
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    (paper,) = store(record(timezone.now().date(), arxiv_id="2503.00777", title="A paper"))
    Paper.objects.filter(pk=paper.pk).update(upvotes=3)
    submit(make_user("eve"), paper.pk)
    alice = make_user("alice")
    followed, _ = follows.follow(alice, "author", Author.objects.get(name="Ada Lovelace").pk)
    return paper, feedtokens.token_for(alice), followed.pk


def parse_feed(response) -> ET.Element:
    assert response.status_code == 200, response.content[:300]
    return ET.fromstring(response.content)  # raises on anything that is not well-formed XML


def entries(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{ATOM}entry") if root.tag == f"{ATOM}feed" else root.findall(".//item")


def title_of(entry: ET.Element) -> str:
    return (
        entry.findtext(f"{ATOM}title") if entry.tag == f"{ATOM}entry" else entry.findtext("title")
    )


def test_every_feed_is_well_formed_with_control_characters_stored(client, site):
    paper, token, follow_id = site
    # stored directly, bypassing ingest (rows written before ingest cleaned text, or by hand)
    Paper.objects.filter(pk=paper.pk).update(title=DIRTY_TITLE, abstract=DIRTY_ABSTRACT)
    Author.objects.filter(name="Alan Turing").update(name="Alan\x02Turing")
    sync_indexes(progress=False)
    for url in feed_urls(token, follow_id, "dirty"):
        root = parse_feed(client.get(url))
        (entry,) = entries(root)
        assert title_of(entry) == "Dirty title with controls", url  # a vertical tab: a space
        assert "Dirty" in ET.tostring(entry, encoding="unicode") and "AlanTuring" in ET.tostring(
            entry, encoding="unicode"
        ), url


@pytest.mark.parametrize("kind", ["rss", "atom"])
@pytest.mark.parametrize(
    "url",
    [
        "/feeds/search.{kind}?q=paper%0b%01",
        "/feeds/search.{kind}?q=%01",
        "/feeds/categories/cs.CL%0b%1f.{kind}",
    ],
)
def test_control_characters_in_the_url_never_make_a_feed_fail(client, site, url, kind):
    sync_indexes(progress=False)
    response = client.get(url.format(kind=kind))
    assert response.status_code in (200, 404), response.content[:300]
    if response.status_code == 200:
        root = ET.fromstring(response.content)
        title = root.findtext(f"{ATOM}title") or root.findtext("channel/title")
        assert not any(ord(c) < 32 for c in title)


class TagCounter(HTMLParser):
    """The start tags an HTML reader would build from a string."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def test_titles_and_abstracts_go_out_as_text_in_every_feed(client, site):
    paper, token, follow_id = site
    Paper.objects.filter(pk=paper.pk).update(title=XSS_TITLE, abstract=XSS_ABSTRACT)
    sync_indexes(progress=False)
    for url in feed_urls(token, follow_id, "markup"):
        (entry,) = entries(parse_feed(client.get(url)))
        assert title_of(entry) == XSS_TITLE, url  # plain text in both formats
        if entry.tag == f"{ATOM}entry":
            summary = entry.find(f"{ATOM}summary")
            assert summary.get("type") == "text", url  # readers show it, they do not render it
            assert summary.text == XSS_ABSTRACT, url  # LaTeX kept as it is
        else:
            # an RSS description is read as HTML: the text is escaped into it, so the reader
            # shows the markup as text and builds no element from it
            description = entry.findtext("description")
            assert TagCounter(description).tags == [], url
            assert html.unescape(description) == XSS_ABSTRACT, url


def test_a_query_in_the_url_is_text_in_the_search_feed(client, site):
    sync_indexes(progress=False)
    query = "<img src=x onerror=alert(3)>"
    channel = parse_feed(client.get("/feeds/search.rss", {"q": query})).find("channel")
    assert TagCounter(channel.findtext("description")).tags == []
    assert query in channel.findtext("title")  # a title is plain text (RSS Best Practices)
    atom = parse_feed(client.get("/feeds/search.atom", {"q": query}))
    assert query in atom.findtext(f"{ATOM}title")

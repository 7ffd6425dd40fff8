"""comments: the Markdown subset, sanitising (XSS inert), one-level threads, own-only changes."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import AnonymousUser

from paperfeed.community import comments
from paperfeed.community.models import Comment
from tests.community.factories import make_paper


@pytest.mark.parametrize(
    ("source", "html"),
    [
        (
            "*em* and **strong** and `code`",
            "<p><em>em</em> and <strong>strong</strong> and <code>code</code></p>",
        ),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("1. first", "<ol>\n<li>first</li>\n</ol>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("```\nx < y\n```", "<pre><code>x &lt; y\n</code></pre>"),
        ("line  \nbreak", "<p>line<br>\nbreak</p>"),
        (
            "[paper](https://arxiv.org/abs/2501.01234)",
            '<p><a href="https://arxiv.org/abs/2501.01234" rel="nofollow ugc">paper</a></p>',
        ),
        ("# not a heading", "<p># not a heading</p>"),
        (
            "![img](https://example.org/x.png)",  # images are not loaded: shown as a link
            '<p>!<a href="https://example.org/x.png" rel="nofollow ugc">img</a></p>',
        ),
    ],
)
def test_markdown_subset(source, html):
    assert comments.render_markdown(source) == html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        '"><img src=x onerror=alert(1)>',
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '[x](https://ok.example "title" onmouseover="alert(1)")',
        "<svg onload=alert(1)>",
        "<style>body{display:none}</style>",
    ],
)
def test_attacks_come_out_inert(attack):
    html = comments.render_markdown(attack)
    elements = _elements(html)
    for tag, attrs in elements:
        assert tag in comments.ALLOWED_TAGS, (attack, html)
        assert set(attrs) <= ({"href", "rel"} if tag == "a" else set()), (attack, html)
        if tag == "a":
            assert attrs["href"].split(":")[0] in {"http", "https", "mailto"}, (attack, html)
            assert attrs["rel"] == "nofollow ugc"
    assert "<script" not in html.lower() and "<img" not in html.lower()


def _elements(html: str) -> list[tuple[str, dict[str, str]]]:
    """Every start tag in ``html`` with its attributes, as a browser's tokenizer sees them."""

    found: list[tuple[str, dict[str, str]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, {k: v or "" for k, v in attrs}))

    Collector().feed(html)
    return found


def test_raw_html_is_shown_as_text():
    assert comments.render_markdown("<script>alert(1)</script>") == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )
    assert comments.render_markdown('"><img src=x onerror=alert(1)>') == (
        '<p>"&gt;&lt;img src=x onerror=alert(1)&gt;</p>'
    )


@pytest.mark.django_db
def test_add_and_thread_one_level(paper, alice, bob, django_assert_num_queries):
    top = comments.add_comment(alice, paper.pk, "Nice *result*")
    assert top.body_html == "<p>Nice <em>result</em></p>"
    reply = comments.add_comment(bob, paper.pk, "Thanks", parent_id=top.pk)
    reply_to_reply = comments.add_comment(alice, paper.pk, "Welcome", parent_id=reply.pk)
    assert reply.parent_id == top.pk and reply_to_reply.parent_id == top.pk
    with django_assert_num_queries(2):
        thread = comments.for_paper(paper.pk)
        shape = [(c.body, [r.body for r in c.visible_replies], c.user.username) for c in thread]
    assert shape == [("Nice *result*", ["Thanks", "Welcome"], "alice")]


@pytest.mark.django_db
def test_hidden_comments_are_not_shown(paper, alice, bob):
    top = comments.add_comment(alice, paper.pk, "top")
    hidden_reply = comments.add_comment(bob, paper.pk, "spam", parent_id=top.pk)
    hidden_top = comments.add_comment(bob, paper.pk, "more spam")
    comments.add_comment(alice, paper.pk, "reply under spam", parent_id=hidden_top.pk)
    Comment.objects.filter(pk__in=[hidden_reply.pk, hidden_top.pk]).update(hidden=True)
    thread = comments.for_paper(paper.pk)
    assert [(c.body, [r.body for r in c.visible_replies]) for c in thread] == [("top", [])]
    assert comments.count_visible(paper.pk) == 1
    with pytest.raises(comments.CommentNotFound):
        comments.add_comment(alice, paper.pk, "answering spam", parent_id=hidden_top.pk)


@pytest.mark.django_db
def test_refusals(paper, alice):
    with pytest.raises(comments.CommentError, match="empty"):
        comments.add_comment(alice, paper.pk, "   \n ")
    with pytest.raises(comments.CommentError, match="the limit is 10,000"):
        comments.add_comment(alice, paper.pk, "x" * 10_001)
    with pytest.raises(comments.CommentNotFound, match="no paper"):
        comments.add_comment(alice, "2501.99999", "hello")
    with pytest.raises(comments.CommentForbidden, match="log in"):
        comments.add_comment(AnonymousUser(), paper.pk, "hello")
    other = make_paper()
    elsewhere = comments.add_comment(alice, other.pk, "on the other paper")
    with pytest.raises(comments.CommentNotFound, match="to reply to"):
        comments.add_comment(alice, paper.pk, "cross-thread", parent_id=elsewhere.pk)
    assert Comment.objects.count() == 1


@pytest.mark.django_db
def test_edit_and_delete_own_only(paper, alice, bob):
    mine = comments.add_comment(alice, paper.pk, "first")
    edited = comments.edit_comment(alice, mine.pk, "**second**")
    assert edited.body_html == "<p><strong>second</strong></p>" and edited.edited is not None
    with pytest.raises(comments.CommentForbidden, match="your own"):
        comments.edit_comment(bob, mine.pk, "hijacked")
    with pytest.raises(comments.CommentForbidden, match="your own"):
        comments.delete_comment(bob, mine.pk)
    with pytest.raises(comments.CommentNotFound):
        comments.delete_comment(alice, 10**9)
    comments.delete_comment(alice, mine.pk)
    assert not Comment.objects.filter(pk=mine.pk).exists()


@pytest.mark.django_db
def test_deleting_a_comment_with_replies_keeps_the_thread(paper, alice, bob):
    top = comments.add_comment(alice, paper.pk, "question")
    comments.add_comment(bob, paper.pk, "answer", parent_id=top.pk)
    comments.delete_comment(alice, top.pk)
    [thread] = comments.for_paper(paper.pk)
    assert thread.body == comments.DELETED_BODY and "question" not in thread.body_html
    assert [r.body for r in thread.visible_replies] == ["answer"]


@pytest.mark.django_db
def test_hidden_comment_cannot_be_edited_by_its_author(paper, alice):
    mine = comments.add_comment(alice, paper.pk, "rude")
    Comment.objects.filter(pk=mine.pk).update(hidden=True)
    with pytest.raises(comments.CommentForbidden, match="moderator"):
        comments.edit_comment(alice, mine.pk, "polite now")

"""A digest item's reason quotes a liked paper's title: its LaTeX is written out as plain text in
both parts of the mail (as titles and abstracts are), never raw ``$...$``."""

from __future__ import annotations

import pytest

from paperfeed.digests import compose
from paperfeed.digests.models import Subscriber
from paperfeed.papers.models import Paper

pytestmark = pytest.mark.django_db


def test_reason_latex_is_plain_text_in_the_mail():
    subscriber = Subscriber.objects.create(email="ada@example.org", status="active")
    paper = Paper.objects.create(arxiv_id="2501.00001", title="Plain", abstract="Text.")
    why = r'similar to "Scaling $\alpha$-attention", which you upvoted'
    section = compose.Section("Recommended for you", [compose.DigestItem(paper, why)])
    message = compose.digest_message(compose.Digest(subscriber, "daily:2026-11-27", [section]))
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "Scaling α-attention" in body
        assert "$" not in body and "\\alpha" not in body

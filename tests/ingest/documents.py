"""Builders for test documents in arXiv's Atom, OAI-PMH (arXiv format), Kaggle and HF shapes.

They escape text the way the real services do (XML entities, JSON strings), so a test can put any
title or name in and check the parser gives it back.
"""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape, quoteattr

import orjson

ATOM_NS = "http://www.w3.org/2005/Atom"
ARXIV_ATOM_NS = "http://arxiv.org/schemas/atom"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"


def atom_entry(
    arxiv_id: str = "2501.01234v2",
    title: str = "A Title",
    summary: str = "An abstract.",
    authors: list[tuple[str, list[str]]] | None = None,
    primary: str = "cs.LG",
    categories: list[str] | None = None,
    published: str = "2025-01-02T18:59:58Z",
    updated: str = "2025-02-03T10:00:00Z",
    doi: str = "",
    journal_ref: str = "",
    comment: str = "",
    license: str = "",
    id_url: str | None = None,
) -> str:
    parts = [
        "<entry>",
        f"<id>{escape(id_url or 'http://arxiv.org/abs/' + arxiv_id)}</id>",
        f"<updated>{updated}</updated>",
        f"<published>{published}</published>",
        f"<title>{escape(title)}</title>",
        f"<summary>{escape(summary)}</summary>",
    ]
    for name, affiliations in authors if authors is not None else [("Ada Lovelace", [])]:
        parts.append(f"<author><name>{escape(name)}</name>")
        parts += [f"<arxiv:affiliation>{escape(a)}</arxiv:affiliation>" for a in affiliations]
        parts.append("</author>")
    for tag, value in (
        ("doi", doi),
        ("comment", comment),
        ("journal_ref", journal_ref),
        ("license", license),
    ):
        if value:
            parts.append(f"<arxiv:{tag}>{escape(value)}</arxiv:{tag}>")
    if primary:
        parts.append(
            f'<arxiv:primary_category term={quoteattr(primary)} scheme="{ARXIV_ATOM_NS}"/>'
        )
    for term in categories if categories is not None else [primary]:
        parts.append(f'<category term={quoteattr(term)} scheme="{ARXIV_ATOM_NS}"/>')
    parts.append("</entry>")
    return "\n".join(parts)


def atom_feed(
    entries: list[str], total: int | None = None, start: int = 0, per_page: int | None = None
) -> bytes:
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<feed xmlns="{ATOM_NS}" xmlns:arxiv="{ARXIV_ATOM_NS}" xmlns:opensearch="{OPENSEARCH_NS}">\n'
        "<title>ArXiv Query: test</title>\n<id>http://arxiv.org/api/test</id>\n"
    )
    paging = ""
    if total is not None:
        paging = (
            f"<opensearch:totalResults>{total}</opensearch:totalResults>\n"
            f"<opensearch:startIndex>{start}</opensearch:startIndex>\n"
            f"<opensearch:itemsPerPage>{per_page if per_page is not None else len(entries)}"
            "</opensearch:itemsPerPage>\n"
        )
    return (head + paging + "\n".join(entries) + "\n</feed>\n").encode()


ATOM_ERROR_FEED = atom_feed(
    [
        "<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_1234.1234v1</id>"
        "<title>Error</title><summary>incorrect id format for 1234.1234v1</summary>"
        "<updated>2019-08-10T00:00:00-04:00</updated>"
        "<link href='http://arxiv.org/api/errors#incorrect_id_format_for_1234.1234v1' "
        "rel='alternate' type='text/html'/>"
        "<author><name>arXiv api core</name></author></entry>"
    ],
    total=1,
)


def oai_record(
    arxiv_id: str = "1412.8544",
    title: str = "A Title",
    abstract: str = "An abstract.",
    authors: list[tuple[str, str, str, list[str]]] | None = None,
    categories: str = "cs.DM",
    created: str = "2014-12-29",
    updated: str = "",
    comments: str = "",
    journal_ref: str = "",
    doi: str = "",
    license: str = "",
    datestamp: str = "2015-01-03",
) -> str:
    """A live record; authors are (keyname, forenames, suffix, [affiliations])."""
    meta = [f"<id>{escape(arxiv_id)}</id>", f"<created>{created}</created>"]
    if updated:
        meta.append(f"<updated>{updated}</updated>")
    meta.append("<authors>")
    for keyname, forenames, suffix, affiliations in (
        authors if authors is not None else [("Lovelace", "Ada", "", [])]
    ):
        meta.append(f"<author><keyname>{escape(keyname)}</keyname>")
        if forenames:
            meta.append(f"<forenames>{escape(forenames)}</forenames>")
        if suffix:
            meta.append(f"<suffix>{escape(suffix)}</suffix>")
        meta += [f"<affiliation>{escape(a)}</affiliation>" for a in affiliations]
        meta.append("</author>")
    meta.append("</authors>")
    meta.append(f"<title>{escape(title)}</title><categories>{escape(categories)}</categories>")
    for tag, value in (
        ("comments", comments),
        ("journal-ref", journal_ref),
        ("doi", doi),
        ("license", license),
    ):
        if value:
            meta.append(f"<{tag}>{escape(value)}</{tag}>")
    meta.append(f"<abstract>{escape(abstract)}</abstract>")
    return (
        f"<record><header><identifier>oai:arXiv.org:{arxiv_id}</identifier>"
        f"<datestamp>{datestamp}</datestamp><setSpec>cs</setSpec></header>"
        '<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/">'
        + "".join(meta)
        + "</arXiv></metadata></record>"
    )


def oai_deleted(arxiv_id: str, datestamp: str = "2015-01-03") -> str:
    return (
        f'<record><header status="deleted"><identifier>oai:arXiv.org:{arxiv_id}</identifier>'
        f"<datestamp>{datestamp}</datestamp><setSpec>cs</setSpec></header></record>"
    )


def oai_response(
    records: list[str] | None = None,
    *,
    token: str | None = None,
    cursor: int | None = None,
    size: int | None = None,
    error: tuple[str, str] | None = None,
    verb: str = "ListRecords",
) -> bytes:
    """A response; ``token=""`` writes the empty token of a list's last page."""
    body = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
        "<responseDate>2018-06-21T14:31:04Z</responseDate>",
        f'<request verb="{verb}" metadataPrefix="arXiv">http://export.arxiv.org/oai2</request>',
    ]
    if error:
        body.append(f"<error code={quoteattr(error[0])}>{escape(error[1])}</error>")
    else:
        body.append(f"<{verb}>")
        body += records or []
        if token is not None:
            attrs = ""
            if cursor is not None:
                attrs += f' cursor="{cursor}"'
            if size is not None:
                attrs += f' completeListSize="{size}"'
            body.append(f"<resumptionToken{attrs}>{escape(token)}</resumptionToken>")
        body.append(f"</{verb}>")
    body.append("</OAI-PMH>")
    return "\n".join(body).encode()


def kaggle_line(**fields) -> bytes:
    obj = {
        "id": "0704.0001",
        "submitter": "Pavel Nadolsky",
        "authors": "Ada Lovelace",
        "title": "A Title",
        "comments": None,
        "journal-ref": None,
        "doi": None,
        "report-no": None,
        "categories": "cs.LG",
        "license": None,
        "abstract": "An abstract.",
        "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
        "update_date": "2008-11-13",
        "authors_parsed": [["Lovelace", "Ada", ""]],
    }
    obj.update(fields)
    return orjson.dumps(obj) + b"\n"


def _four_hours_before(timestamp: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return timestamp  # a test of a bad date
    return (moment - dt.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def hf_entry(
    arxiv_id: str = "2501.01234",
    title: str = "A Title",
    summary: str = "An abstract.",
    authors: list[str] | None = None,
    published: str = "2025-01-02T18:59:58.000Z",
    listed: str = "2025-01-03T02:42:08.163Z",
    upvotes: int = 42,
) -> dict:
    names = authors if authors is not None else ["Ada Lovelace"]
    return {
        "paper": {
            "id": arxiv_id,
            "authors": [
                {"_id": f"6777a{i:019x}", "name": name, "hidden": False}
                for i, name in enumerate(names)
            ],
            "publishedAt": published,
            "submittedOnDailyAt": listed,
            "title": title,
            "summary": summary,
            "upvotes": upvotes,
            "discussionId": "6777a0000000000000000001",
        },
        "publishedAt": _four_hours_before(published),  # as in every real entry: not the list day
        "title": title,
        "summary": summary,
        "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{arxiv_id}.png",
        "numComments": 3,
        "submittedBy": {"_id": "60f1abe7544c2adfd699860c", "fullname": "AK", "name": "akhaliq"},
        "isAuthorParticipating": False,
    }


def hf_array(entries: list[dict]) -> bytes:
    return orjson.dumps(entries, option=orjson.OPT_INDENT_2)


def hf_lines(entries: list[dict]) -> bytes:
    return b"".join(orjson.dumps(e) + b"\n" for e in entries)

"""The library's API: what an import would do, as a preview (nothing stored, nothing fetched).

``POST /api/v1/library/resolve`` takes a BibTeX/RIS/CSL-JSON file (multipart ``file``) or text
(JSON ``{"text": ..., "filename"?: ...}``) and answers the report of
:func:`paperfeed.library.imports.resolve` with ``queue_unknown=False``.
"""

from __future__ import annotations

import json

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from paperfeed.api.auth import WRITE_AUTH
from paperfeed.api.schemas import ErrorOut
from paperfeed.library import imports
from paperfeed.ops import throttle

router = Router(tags=["Library"])


class EntryOut(Schema):
    source: str = Field(description='Where in the input: "line 3", "entry key", "record 2".')
    arxiv_id: str | None = Field(description="The arXiv id the entry names, without version.")
    doi: str | None = Field(description="The DOI the entry names, lower-cased.")
    title: str | None = Field(description="The entry's title (LaTeX as Unicode).")
    note: str = Field(description="The entry's note (BibTeX annote, RIS N1, CSL note).")


class FoundOut(EntryOut):
    paper_id: str = Field(description="The stored paper (matched) or the id to fetch (queued).")


class MissedOut(EntryOut):
    reason: str = Field(description="Why no paper was found.")


class ResolveOut(Schema):
    matched: list[FoundOut] = Field(description="Entries naming a paper paperfeed has.")
    queued: list[FoundOut] = Field(
        description="Entries naming an arXiv paper paperfeed lacks: an import fetches them."
    )
    unmatched: list[MissedOut] = Field(description="Entries naming no paper found, with why.")


_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["text"],
                "properties": {
                    "text": {
                        "type": "string",
                        "description": "BibTeX, RIS, CSL-JSON, or arXiv ids/URLs/DOIs, "
                        "one or more a line.",
                    },
                    "filename": {
                        "type": "string",
                        "description": "Optional: its extension (.bib, .ris, .json) names "
                        "the format.",
                    },
                },
            }
        },
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
    },
}


def _input(request: HttpRequest) -> tuple[bytes | str, str]:
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise HttpError(400, "send the file as the multipart field 'file'")
        if upload.size > imports.MAX_BYTES:
            raise HttpError(400, f"the file is larger than {imports.MAX_BYTES // 1_000_000} MB")
        return upload.read(), upload.name or ""
    if request.content_type != "application/json":
        raise HttpError(400, "send JSON {\"text\": ...} or a multipart form with a 'file'")
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        raise HttpError(400, "the body is not valid JSON") from None
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise HttpError(400, 'send {"text": "..."}: the ids or the file\'s text as a string')
    filename = body.get("filename", "")
    if not isinstance(filename, str):
        raise HttpError(400, "filename must be a string")
    return body["text"], filename


@router.post(
    "/library/resolve",
    auth=WRITE_AUTH,
    response={200: ResolveOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    summary="Preview an import",
    openapi_extra={"requestBody": _BODY},
)
def resolve(request: HttpRequest):
    """Read a BibTeX, RIS or CSL-JSON file, or a list of arXiv ids, arXiv/alphaXiv/HF paper
    URLs and DOIs, and say which papers paperfeed has (``matched``), which arXiv papers an
    import would fetch (``queued``) and which entries name no paper it can find
    (``unmatched``, with the reason). Nothing is stored or fetched. Unreadable input is 400
    naming the line, entry or record; at most 2 MB and 5,000 entries. Over
    ``PAPERFEED_LIMIT_IMPORT`` 429 with ``Retry-After``."""
    if refused := throttle.consume(request, "import", user=request.auth):
        return refused.response(request)
    data, filename = _input(request)
    try:
        candidates = imports.parse(data, filename)
    except imports.ImportFileError as exc:
        raise HttpError(400, str(exc)) from None
    return imports.resolve(candidates, queue_unknown=False).as_dict()

"""The library's API: what an import would do, as a preview (nothing stored, nothing fetched);
an import into a collection; a collection or the caller's whole library exported.

``POST /api/v1/library/resolve`` and ``POST /api/v1/collections/{id}/import`` take a
BibTeX/RIS/CSL-JSON file (multipart ``file``) or text (JSON ``{"text": ..., "filename"?: ...}``);
the first answers the report of :func:`paperfeed.library.imports.resolve` with
``queue_unknown=False``, the second imports (:func:`paperfeed.library.transfer.import_into`).
``GET /api/v1/collections/{id}/export`` and ``GET /api/v1/me/library/export`` answer files.
"""

from __future__ import annotations

import json

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from paperfeed.api.auth import WRITE_AUTH, optional_user
from paperfeed.api.collections import collection_call
from paperfeed.api.exports import export_format, file_answer
from paperfeed.api.schemas import ErrorOut
from paperfeed.library import exports, imports, transfer
from paperfeed.library.export_views import response
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


class _ImportCounts(Schema):
    collection: int = Field(description="The collection's id.")
    summary: str = Field(description='"12 added, 3 being fetched from arXiv, 2 not found".')
    added: list[str] = Field(description="Papers added at the end, in the input's order.")
    noted: list[str] = Field(description="Papers already there whose note was replaced.")
    kept: list[str] = Field(description="Papers already there, left as they were.")


class ResolveOut(Schema):
    matched: list[FoundOut] = Field(description="Entries naming a paper paperfeed has.")
    queued: list[FoundOut] = Field(
        description="Entries naming an arXiv paper paperfeed lacks: an import fetches them."
    )
    unmatched: list[MissedOut] = Field(description="Entries naming no paper found, with why.")


class ImportOut(_ImportCounts, ResolveOut):
    pass


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


_CALL_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.post(
    "/collections/{int:collection_id}/import",
    auth=WRITE_AUTH,
    response={200: ImportOut, 429: ErrorOut, **_CALL_ERRORS},
    summary="Import into a collection",
    openapi_extra={"requestBody": _BODY},
)
def import_into(request: HttpRequest, collection_id: int):
    """Read a file or list as ``/library/resolve`` does and add the papers paperfeed has to the
    collection (owner or collaborator), at the end in the input's order with their notes; a
    paper already there keeps its place, and its note is replaced only by a non-empty one.
    ``queued`` arXiv papers are fetched by the worker and added after. 400 for unreadable input
    or past the collection's 5,000 papers (nothing added); 429 over
    ``PAPERFEED_LIMIT_IMPORT``."""
    if refused := throttle.consume(request, "import", user=request.auth):
        return refused.response(request)
    data, filename = _input(request)
    try:
        result = collection_call(
            lambda: transfer.import_into(request.auth, collection_id, data, filename)
        )
    except imports.ImportFileError as exc:
        raise HttpError(400, str(exc)) from None
    return result.as_dict()


@router.get(
    "/collections/{int:collection_id}/export",
    response={400: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Export a collection",
    openapi_extra=file_answer("The collection's papers in order, each with its note"),
)
def export_collection(request: HttpRequest, collection_id: int, format: str = "bibtex"):  # noqa: A002
    """The collection's papers as ``format`` (bibtex, ris, csl-json, markdown), each with its
    note (BibTeX ``annote``, RIS ``N1``, CSL ``note``). Who may read the collection may export
    it: a private one is a 404 but to its owner and collaborators."""
    fmt = export_format(format)
    collection, entries = collection_call(
        lambda: transfer.collection_entries(optional_user(request), collection_id)
    )
    return response(exports.export(entries, fmt.name), fmt, collection.slug or "collection")


@router.get(
    "/me/library/export",
    auth=WRITE_AUTH,
    response={400: ErrorOut, 401: ErrorOut, 422: ErrorOut},
    summary="Export your whole library",
    openapi_extra=file_answer("Every paper of your collections once"),
)
def export_library(request: HttpRequest, format: str = "bibtex"):  # noqa: A002
    """Every paper of the caller's collections (owned or edited) once, "Read later" first then
    by name; a paper's notes from each collection joined, each under a ``### <collection>``
    heading."""
    fmt = export_format(format)
    entries = transfer.library_entries(request.auth)
    return response(exports.export(entries, fmt.name), fmt, "paperfeed-library")

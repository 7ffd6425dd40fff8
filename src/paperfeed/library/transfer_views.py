"""A collection in and out, on the site (:mod:`paperfeed.library.transfer`):

- ``GET /collections/<id>/export?format=bibtex|ris|csl-json|markdown``: the collection's papers
  with their notes, to whoever may see the collection (a 404 to anyone else);
- ``GET /collections/export?format=``: the signed-in reader's whole library;
- ``POST /collections/<id>/import`` (owner and editors) and ``POST /collections/import`` (a new
  collection; its name and visibility with the file): a file (``file``) or pasted ids
  (``text``), answered with the import's report page. Counted against
  ``PAPERFEED_LIMIT_IMPORT``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from paperfeed.library import collections, exports, imports, shapes, transfer
from paperfeed.library.export_views import response
from paperfeed.library.models import Collection
from paperfeed.library.views import _refused
from paperfeed.ops import throttle
from paperfeed.papers.models import Paper
from paperfeed.web.params import BadParameter, bad_request, choice_param


def _format(request: HttpRequest) -> exports.Format:
    return exports.FORMATS[choice_param(request, "format", exports.FORMATS, "bibtex")]


@require_GET
def collection_export(request: HttpRequest, collection_id: int) -> HttpResponse:
    """The collection's papers in order, each with its note, as ``format``."""
    try:
        fmt = _format(request)
        collection, entries = transfer.collection_entries(request.user, collection_id)
    except BadParameter as exc:
        return bad_request(request, str(exc))
    except collections.CollectionError as exc:
        return _refused(request, exc)
    return response(exports.export(entries, fmt.name), fmt, collection.slug or "collection")


@login_required
@require_GET
def library_export(request: HttpRequest) -> HttpResponse:
    """Every paper of the reader's collections once, the notes under their collection's name."""
    try:
        fmt = _format(request)
    except BadParameter as exc:
        return bad_request(request, str(exc))
    entries = transfer.library_entries(request.user)
    return response(exports.export(entries, fmt.name), fmt, "paperfeed-library")


def _input(request: HttpRequest) -> tuple[bytes | str, str]:
    """The uploaded file, else the pasted text; ImportFileError when neither was given."""
    upload = request.FILES.get("file")
    if upload is not None and upload.size:
        if upload.size > imports.MAX_BYTES:
            raise imports.ImportFileError(
                f"the file is larger than {imports.MAX_BYTES // 1_000_000} MB"
            )
        return upload.read(), upload.name or ""
    text = request.POST.get("text", "")
    if not text.strip():
        raise imports.ImportFileError(
            "choose a BibTeX, RIS, CSL-JSON or Markdown file, or paste arXiv ids, links or DOIs"
        )
    return text, ""


def _result(request: HttpRequest, result: transfer.ImportResult) -> HttpResponse:
    titles = dict(
        Paper.objects.filter(pk__in=result.added + result.noted + result.kept)
        .values_list("pk", "title")
        .order_by()
    )
    context = {
        "title": f"Imported into {result.collection.name}",
        "result": result,
        "collection": result.collection,
        "url": shapes.collection_url(result.collection),
        **{
            name: [(i, titles.get(i, i)) for i in getattr(result, name)]
            for name in ("added", "noted", "kept")
        },
    }
    return render(request, "library/import_result.html", context)


@login_required
@require_POST
def collection_import(request: HttpRequest, collection_id: int) -> HttpResponse:
    """Add a file's (or pasted list's) papers to the collection; the report page."""
    if refused := throttle.consume(request, "import"):
        return refused.response(request)
    try:
        data, filename = _input(request)
        result = transfer.import_into(request.user, collection_id, data, filename)
    except imports.ImportFileError as exc:
        return bad_request(request, f"Nothing imported: {exc}.")
    except collections.CollectionError as exc:
        return _refused(request, exc)
    return _result(request, result)


@login_required
@require_POST
def new_import(request: HttpRequest) -> HttpResponse:
    """Make a collection (``name``, ``visibility``) from a file or a pasted list."""
    if refused := throttle.consume(request, "import"):
        return refused.response(request)
    name = request.POST.get("name", "")
    try:
        data, filename = _input(request)
        result = transfer.import_new(
            request.user,
            name,
            data,
            filename,
            visibility=request.POST.get("visibility") or Collection.PRIVATE,
        )
    except (imports.ImportFileError, collections.CollectionError) as exc:
        context = {
            "title": "New collection",
            "visibilities": Collection.VISIBILITIES,
            "import_error": f"Nothing imported: {exc}.",
            "import_name": name,
        }
        return render(request, "library/new.html", context, status=400)
    return _result(request, result)

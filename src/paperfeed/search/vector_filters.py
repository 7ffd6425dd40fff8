"""Metadata filters on the vector side: which candidate papers pass, as the database says.

HNSW (:mod:`paperfeed.search.vector_index`) knows nothing of categories, dates or authors, so its
candidates are checked here, a few hundred ids at a time; :func:`keys_of` and
:func:`cosines` serve the exact search of a small candidate set
(:func:`paperfeed.search.vector_index.exact_among`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from django.db.models import Exists, OuterRef, Q

from paperfeed.papers.models import Authorship, Paper
from paperfeed.search.models import Embedding
from paperfeed.signals.models import PaperSignals

SQL_CHUNK = 900


@dataclass(frozen=True)
class Filters:
    """Metadata filters applied to vector candidates through the database."""

    categories: tuple[str, ...] = ()
    not_categories: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    not_authors: tuple[str, ...] = ()
    since: object = None
    until: object = None
    has_code: bool = False

    @property
    def active(self) -> bool:
        return bool(
            self.categories
            or self.not_categories
            or self.authors
            or self.not_authors
            or self.since
            or self.until
            or self.has_code
        )


def _category_q(category: str) -> Q:
    category = category.strip()
    if "." in category:
        return (
            Q(categories__iexact=category)
            | Q(categories__istartswith=category + " ")
            | Q(categories__iendswith=" " + category)
            | Q(categories__icontains=" " + category + " ")
        )
    return Q(categories__istartswith=category + ".") | Q(categories__icontains=" " + category + ".")


def _author_q(name: str, field: str = "authorships__author__name") -> Q:
    """Every word of ``name`` starts a word of an author's name (case-insensitive); a word is a
    run of letters and digits, so ``G. Hinton`` asks for a name part starting with ``G`` and one
    starting with ``Hinton`` (the index's exact, initials-aware match is a subset of this)."""
    q = Q()
    for word in re.findall(r"[^\W_]+", name):
        q &= (
            Q(**{f"{field}__istartswith": word})
            | Q(**{f"{field}__icontains": " " + word})
            | Q(**{f"{field}__icontains": "-" + word})
        )
    return q


def _has_author(name: str) -> Exists:
    """The paper has an author whose name matches ``name`` (:func:`_author_q`), checked per
    paper: cheap on the few candidate ids the callers restrict the query to, where a subquery
    of every matching paper would scan all authors first."""
    return Exists(
        Authorship.objects.filter(paper=OuterRef("pk")).filter(_author_q(name, "author__name"))
    )


def filter_papers(ids: list[str], filters: Filters) -> set[str]:
    """The subset of ``ids`` that are visible and pass ``filters``."""
    query = filtered_query(filters)
    found: set[str] = set()
    for start in range(0, len(ids), SQL_CHUNK):
        found.update(
            query.filter(arxiv_id__in=ids[start : start + SQL_CHUNK])
            .values_list("arxiv_id", flat=True)
            .order_by()
        )
    return found


def filtered_query(filters: Filters):
    """Visible papers that pass ``filters`` (a queryset: callers restrict it to some ids)."""
    query = Paper.objects.visible()
    if filters.categories:
        any_of = Q()
        for category in filters.categories:
            any_of |= _category_q(category)
        query = query.filter(any_of)
    for category in filters.not_categories:
        query = query.exclude(_category_q(category))
    for name in filters.authors:
        query = query.filter(_has_author(name))
    for name in filters.not_authors:
        query = query.exclude(_has_author(name))
    if filters.since:
        query = query.filter(
            Q(listed__gte=filters.since) | Q(listed__isnull=True, published__gte=filters.since)
        )
    if filters.until:
        query = query.filter(
            Q(listed__lte=filters.until) | Q(listed__isnull=True, published__lte=filters.until)
        )
    if filters.has_code:
        query = query.filter(signals__has_code=True)
    return query


def ids_with_code() -> list[str]:
    """Every paper with code (``has:code``): the ids the lexical index is restricted to, since
    code links live in the database (:mod:`paperfeed.signals`), not in the index. One indexed
    query; about a sixth of a corpus links code."""
    return list(
        PaperSignals.objects.filter(has_code=True).values_list("paper_id", flat=True).order_by()
    )


def cosines(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Cosine of each row of ``vectors`` with ``query`` (0 for a zero vector).

    ``einsum``, not ``@``: a matrix-vector product through the threaded BLAS took 4 ms for
    1,290 x 384 on a busy 2-core machine (threads waiting for cores), ``einsum`` 0.04 ms.
    """
    q = np.asarray(query, dtype=np.float32).reshape(-1)
    norms = np.sqrt(np.einsum("ij,ij->i", vectors, vectors)) * float(np.sqrt(q @ q))
    return np.einsum("ij,j->i", vectors, q) / np.where(norms > 0, norms, np.inf)


def keys_of(ids: list[str]) -> dict[int, str]:
    """``{vector key: paper id}`` of the stored vectors of ``ids`` (read from the unique index
    on the paper column alone; keys of another model's vectors are not in the vector index)."""
    found: dict[int, str] = {}
    for start in range(0, len(ids), SQL_CHUNK):
        found.update(
            Embedding.objects.filter(paper_id__in=ids[start : start + SQL_CHUNK])
            .values_list("id", "paper_id")
            .order_by()
        )
    return found


def passing_keys(keys: list[int], filters: Filters) -> dict[int, str]:
    """``{vector key: paper id}`` for the ``keys`` whose paper is visible and passes ``filters``
    (one query a chunk: the key's vector row joined to its paper, each row read once)."""
    query = filtered_query(filters)
    found: dict[int, str] = {}
    for start in range(0, len(keys), SQL_CHUNK):
        found.update(
            query.filter(embedding__id__in=keys[start : start + SQL_CHUNK])
            .values_list("embedding__id", "arxiv_id")
            .order_by()
        )
    return found

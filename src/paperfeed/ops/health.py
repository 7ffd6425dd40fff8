"""Liveness and readiness checks behind ``/healthz`` and ``/readyz``.

Liveness says the process answers (no database, no disk). Readiness says it can serve pages:
the database answers ``SELECT 1`` and the lexical search index is published and opens. Vectors
are optional: without a vector index search answers lexically, so ``absent`` (or a broken vector
index, ``error``) is reported but does not make the node unready.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction

from paperfeed.search import lexical, paths, vector_index

log = logging.getLogger(__name__)
STATEMENT_TIMEOUT_MS = 2000


@dataclass
class Check:
    state: str  # "ok", "absent" or "error"
    required: bool = True
    detail: dict = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.required and self.state != "ok"

    def as_dict(self) -> dict:
        return {"state": self.state, "required": self.required, **self.detail}


def check_database() -> Check:
    """``SELECT 1``, under a 2 s statement timeout on PostgreSQL."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return Check("error", detail={"error": _describe(exc)})
    return Check("ok", detail={"vendor": connection.vendor})


def check_lexical() -> Check:
    """The published lexical index opens (cached per process, so this is cheap)."""
    try:
        index = lexical.current_index()
        docs = index.num_docs
    except lexical.IndexMissing as exc:
        return Check("absent", detail={"error": str(exc)})
    except Exception as exc:  # noqa: BLE001 - a broken index is reported, not raised
        return Check("error", detail={"error": _describe(exc)})
    path = paths.current_dir(lexical.KIND)
    generation = paths.generation_of(path) if path else None
    return Check("ok", detail={"documents": docs, "generation": generation})


def check_vectors() -> Check:
    try:
        index = vector_index.current_index()
    except Exception as exc:  # noqa: BLE001 - optional: reported, never fails readiness
        return Check("error", required=False, detail={"error": _describe(exc)})
    if index is None:
        return Check("absent", required=False)
    return Check("ok", required=False, detail={"vectors": len(index), "model": index.model})


CHECKS = {"database": check_database, "lexical_index": check_lexical, "vectors": check_vectors}


def readiness() -> tuple[bool, dict]:
    """(ready, {check name: its state and details})."""
    results = {name: check() for name, check in CHECKS.items()}
    for name, result in results.items():
        if result.failed:
            log.warning("readiness check %s: %s", name, result.as_dict())
    ready = not any(r.failed for r in results.values())
    return ready, {name: r.as_dict() for name, r in results.items()}


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc).strip()[:300]}"

"""The one writer of the paper store: merge incoming records into Paper/Author/Authorship rows.

Records are written in batches, each batch in one transaction, so an interrupted run leaves the
store as it was after the last whole batch, and a rerun converges to the same state (idempotent).

Merge rule (:func:`merge`): a record at least as new as what is stored (higher or equal version;
without versions, a later or equal ``updated`` date) overrides every field it carries; an older
record only fills fields that are still empty, and so does a ``fills_only`` record (HF's copy
of arXiv's metadata). Empty fields never erase stored ones. ``published``
and ``listed`` keep the earliest date seen, ``updated`` the latest; ``feed_day`` follows the
listing day (else first-version date) unless a submission set it to another day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.utils import timezone

from paperfeed.ingest.records import PaperRecord, Rejected
from paperfeed.ops import metrics as ops_metrics
from paperfeed.ops import pagecache
from paperfeed.papers.models import Author, Authorship, Paper
from paperfeed.signals import ingested

Authors = tuple[tuple[str, str], ...]  # ((name, affiliation), ...) in order

TEXT_FIELDS = (
    "title",
    "title_raw",
    "abstract",
    "abstract_raw",
    "primary_category",
    "categories",
    "comment",
    "journal_ref",
    "doi",
    "license",
)
PAPER_FIELDS = (
    "version",
    *TEXT_FIELDS,
    "published",
    "updated",
    "listed",
    "feed_day",
    "source",
    "deleted",
)
MAX_REJECTS_KEPT = 1000
SQL_CHUNK = 900  # ids per IN (...) query, well under every backend's parameter limit


@dataclass
class Summary:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0
    rejects: list[Rejected] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)
    changed_ids: list[str] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return self.new + self.updated + self.unchanged + self.deleted + self.rejected

    def reject(self, item: Rejected) -> None:
        self.rejected += 1
        if len(self.rejects) < MAX_REJECTS_KEPT:
            self.rejects.append(item)

    def add(self, other: Summary) -> None:
        for name in ("new", "updated", "unchanged", "deleted", "rejected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rejects.extend(other.rejects[: max(0, MAX_REJECTS_KEPT - len(self.rejects))])
        self.new_ids.extend(other.new_ids)
        self.changed_ids.extend(other.changed_ids)

    def as_dict(self) -> dict:
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "rejected": self.rejected,
        }


def _state_from_record(rec: PaperRecord) -> dict:
    return {
        "version": rec.version,
        "title": rec.title,
        "title_raw": rec.title_raw,
        "abstract": rec.abstract,
        "abstract_raw": rec.abstract_raw,
        "primary_category": rec.primary_category,
        "categories": " ".join(rec.categories),
        "comment": rec.comment,
        "journal_ref": rec.journal_ref,
        "doi": rec.doi,
        "license": rec.license,
        "published": rec.published,
        "updated": rec.updated,
        "listed": rec.listed,
        "source": rec.source,
        "deleted": False,
        "feed_day": rec.listed or rec.published,
        "authors": tuple((a.name, a.affiliation) for a in rec.authors),
    }


def _is_as_new(rec: PaperRecord, old: dict) -> bool:
    if rec.fills_only:  # a second-hand copy (HF) never overrides what is stored
        return False
    if rec.version is not None and old["version"] is not None:
        return rec.version >= old["version"]
    if rec.updated is not None and old["updated"] is not None:
        return rec.updated >= old["updated"]
    return True


def _earliest(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return min(a, b) if a and b else (a or b)


def _latest(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return max(a, b) if a and b else (a or b)


def merge(old: dict | None, rec: PaperRecord) -> dict | None:
    """The stored state after ``rec`` arrives; ``None`` when ``rec`` deletes a paper never stored."""
    if rec.deleted:
        return None if old is None else {**old, "deleted": True}
    incoming = _state_from_record(rec)
    if old is None:
        return incoming
    as_new = _is_as_new(rec, old)
    merged = dict(old)
    for key in (*TEXT_FIELDS, "authors"):
        value = incoming[key]
        if value and (as_new or not old[key]):
            merged[key] = value
    if rec.version is not None and (old["version"] is None or rec.version > old["version"]):
        merged["version"] = rec.version
    merged["published"] = _earliest(old["published"], incoming["published"])
    merged["listed"] = _earliest(old["listed"], incoming["listed"])
    merged["updated"] = _latest(old["updated"], incoming["updated"])
    if old["feed_day"] is None or old["feed_day"] == (old["listed"] or old["published"]):
        # follows the listing day unless a user submission moved the paper to another day
        merged["feed_day"] = merged["listed"] or merged["published"]
    if as_new:
        merged["deleted"] = False
    if merged != old:
        merged["source"] = rec.source
    return merged


def _chunks(items: list, size: int = SQL_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load_existing(ids: list[str]) -> dict[str, dict]:
    existing: dict[str, dict] = {}
    for chunk in _chunks(ids):
        for row in Paper.objects.filter(arxiv_id__in=chunk).values("arxiv_id", *PAPER_FIELDS):
            existing[row.pop("arxiv_id")] = {**row, "authors": ()}
    if existing:
        authors: dict[str, list[tuple[str, str]]] = {}
        for chunk in _chunks(list(existing)):
            rows = (
                Authorship.objects.filter(paper_id__in=chunk)
                .order_by("paper_id", "position")
                .values_list("paper_id", "author__name", "affiliation")
            )
            for paper_id, name, affiliation in rows:
                authors.setdefault(paper_id, []).append((name, affiliation))
        for paper_id, names in authors.items():
            existing[paper_id]["authors"] = tuple(names)
    return existing


def _db_value(field: models.Field, value):
    """A Python value as the database driver takes it (what the ORM's get_db_prep_save does for
    these column types, without building a model instance per row)."""
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value(value)
    return value


def _insert_many(model: type[models.Model], rows: list[dict], *, ignore_conflicts=False) -> None:
    """INSERT rows (dicts by attname; missing columns take the field default).

    The ORM's bulk_create builds a model instance and compiles SQL per row: for the ~6 author
    links of each paper that was half of an import's time. SQLite gets multi-row VALUES (one
    statement per few hundred rows); PostgreSQL gets COPY (:func:`_copy_to_temp`), whose rows
    psycopg encodes in C instead of binding 10,000 parameters per statement in Python. Both take
    ON CONFLICT DO NOTHING.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    defaults = {f.attname: f.get_default() for f in fields}
    values = (
        [_db_value(f, row.get(f.attname, defaults[f.attname])) for f in fields] for row in rows
    )
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            temp = _copy_to_temp(cursor, model, fields, values)
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {temp}{tail}")
        return
    head = f"INSERT INTO {table} ({columns}) VALUES "
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    limit = min(connection.features.max_query_params or 10_000, 10_000)
    per_statement = max(1, limit // len(fields))
    with connection.cursor() as cursor:
        for chunk in _chunks(list(values), per_statement):
            params = [value for row in chunk for value in row]
            cursor.execute(head + ", ".join([one] * len(chunk)) + tail, params)


def _copy_to_temp(cursor, model: type[models.Model], fields: list, values: Iterable[list]) -> str:
    """COPY ``values`` (rows of ``fields``' database values) into a fresh temporary table shaped
    like ``model``'s columns, dropped at commit; its quoted name.

    PostgreSQL only, inside a transaction. The rows go to a temporary table first, not straight
    into the paper tables, so the statement that moves them can say ON CONFLICT (authors) or
    UPDATE ... FROM (changed papers) exactly as the other backend's SQL does: idempotence and
    the merge rule do not depend on the database.
    """
    quote = connection.ops.quote_name
    temp = quote(f"copy_{model._meta.db_table}")
    columns = ", ".join(quote(f.column) for f in fields)
    cursor.execute(f"DROP TABLE IF EXISTS {temp}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "
        f"SELECT {columns} FROM {quote(model._meta.db_table)} WITH NO DATA"
    )
    with cursor.cursor.copy(f"COPY {temp} ({columns}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)
    return temp


def _update_papers(rows: list[dict], columns: list[str]) -> None:
    """UPDATE the given columns of papers (rows keyed by ``arxiv_id``): executemany on SQLite,
    COPY into a temporary table and one UPDATE ... FROM it on PostgreSQL."""
    if not rows:
        return
    fields = [Paper._meta.get_field(c) for c in columns]
    quote = connection.ops.quote_name
    table, key = quote(Paper._meta.db_table), quote(Paper._meta.pk.column)
    if connection.vendor == "postgresql":
        key_field = Paper._meta.pk
        values = (
            [row["arxiv_id"]] + [_db_value(f, row[f.attname]) for f in fields] for row in rows
        )
        with transaction.atomic(), connection.cursor() as cursor:
            temp = _copy_to_temp(cursor, Paper, [key_field, *fields], values)
            assignments = ", ".join(f"{quote(f.column)} = t.{quote(f.column)}" for f in fields)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {temp} t WHERE {table}.{key} = t.{key}"
            )
        return
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        table, ", ".join(f"{quote(f.column)} = %s" for f in fields), key
    )
    params = [[_db_value(f, row[f.attname]) for f in fields] + [row["arxiv_id"]] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _author_ids(names: set[str]) -> dict[str, int]:
    wanted = sorted(names)
    ids: dict[str, int] = {}
    for chunk in _chunks(wanted):
        ids.update(Author.objects.filter(name__in=chunk).values_list("name", "id"))
    missing = [n for n in wanted if n not in ids]
    if missing:
        _insert_many(Author, [{"name": n} for n in missing], ignore_conflicts=True)
        for chunk in _chunks(missing):
            ids.update(Author.objects.filter(name__in=chunk).values_list("name", "id"))
    return ids


def write_batch(records: list[PaperRecord]) -> Summary:
    """Merge one batch into the store in a single transaction."""
    summary = Summary()
    with transaction.atomic():
        existing = _load_existing(list({r.arxiv_id for r in records}))
        states: dict[str, dict | None] = {}
        for rec in records:  # later records in the batch merge on top of earlier ones
            before = states[rec.arxiv_id] if rec.arxiv_id in states else existing.get(rec.arxiv_id)
            after = merge(before, rec)
            states[rec.arxiv_id] = after if after is not None else before
        created, changed, relink = [], [], []
        for paper_id, state in states.items():
            old = existing.get(paper_id)
            if state is None:  # a deletion of a paper never stored: nothing to do
                summary.unchanged += 1
            elif old is None:
                created.append((paper_id, state))
            elif state != old:
                changed.append((paper_id, state))
                if state["authors"] != old["authors"]:
                    relink.append(paper_id)
                if state["deleted"] and not old["deleted"]:
                    summary.deleted += 1
                else:
                    summary.updated += 1
            else:
                summary.unchanged += 1
        link_states = [(pid, s) for pid, s in created] + [(pid, states[pid]) for pid in relink]
        author_ids = _author_ids({name for _, s in link_states for name, _ in s["authors"]})
        now = timezone.now()
        _insert_many(
            Paper,
            [
                {"arxiv_id": pid, "created_at": now, "updated_at": now}
                | {k: s[k] for k in PAPER_FIELDS}
                for pid, s in created
            ],
        )
        _update_papers(
            [
                {"arxiv_id": pid, "updated_at": now} | {k: s[k] for k in PAPER_FIELDS}
                for pid, s in changed
            ],
            [*PAPER_FIELDS, "updated_at"],
        )
        for chunk in _chunks(relink):
            Authorship.objects.filter(paper_id__in=chunk).delete()
        _insert_many(
            Authorship,
            [
                {"paper_id": pid, "author_id": author_ids[name], "position": i, "affiliation": aff}
                for pid, s in link_states
                for i, (name, aff) in enumerate(s["authors"])
            ],
        )
        ingested.records_stored(records, {pid for pid, _ in created + changed})
        if created or changed:
            pagecache.changed("papers ingested")
    summary.new = len(created)
    summary.new_ids = [pid for pid, _ in created]
    summary.changed_ids = [pid for pid, _ in changed]
    return summary


def ingest(
    items: Iterable[PaperRecord | Rejected],
    *,
    batch_size: int = 2000,
    on_batch: Callable[[Summary], None] | None = None,
    on_reject: Callable[[Rejected], None] | None = None,
    into: Summary | None = None,
) -> Summary:
    """Store every record of ``items``; rejects are counted and passed to ``on_reject``.

    An exception from ``items`` (a source that breaks half-way) propagates after the batches
    before it were committed (and counted in ``into``); the batch it interrupted is not written.
    """
    total = into if into is not None else Summary()
    batch: list[PaperRecord] = []

    def flush() -> None:
        done = write_batch(batch)
        total.add(done)
        ops_metrics.count_ingested(done)  # never raises
        batch.clear()
        if on_batch:
            on_batch(done)

    for item in items:
        if isinstance(item, Rejected):
            total.reject(item)
            if on_reject:
                on_reject(item)
            continue
        batch.append(item)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return total

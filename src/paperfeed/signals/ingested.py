"""What the signals take from papers as they are stored: called by
:func:`paperfeed.ingest.upsert.write_batch` inside each batch's transaction, so a paper and the
signals its record carried are stored together or not at all (a killed import loses or doubles
nothing).

- the code repositories and project page named in the arXiv text of the papers whose text is new
  or changed (:mod:`paperfeed.signals.code`);
- the signals a record carries from its source (an HF daily-papers entry: HF upvotes, list day,
  AI summary, ``githubRepo`` and its stars..., :mod:`paperfeed.signals.carried`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from paperfeed.ingest.records import PaperRecord
from paperfeed.signals import carried, code


def records_stored(records: Sequence[PaperRecord], changed_ids: Collection[str]) -> None:
    """``records`` were just merged into the store; ``changed_ids`` are the papers of the batch
    that are new or changed (the others' text is as before)."""
    code.link_from_records([r for r in records if r.arxiv_id in changed_ids])
    carried.store_carried(records)

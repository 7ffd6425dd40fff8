"""Stored embeddings: one vector per paper, the source the vector index is rebuilt from.

``Embedding.id`` is the key of the paper's vector in the usearch index.  A vector is never
updated in place: re-embedding deletes the row and inserts a new one with a new id, so the index
syncs by set difference of keys (new keys are added, keys no longer in the table are removed).
"""

from __future__ import annotations

import numpy as np
from django.db import models

from paperfeed.papers.models import Paper

VECTOR_DTYPE = np.dtype("<f2")  # float16, little-endian: 768 bytes for a 384-dim vector


class EmbeddingQuerySet(models.QuerySet):
    def of_model(self, model: str) -> EmbeddingQuerySet:
        return self.filter(model=model)

    def stale(self, model: str) -> EmbeddingQuerySet:
        """Vectors made by another model than ``model``."""
        return self.exclude(model=model)


class Embedding(models.Model):
    id = models.BigAutoField(primary_key=True, help_text="Key of this vector in the vector index.")
    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, related_name="embedding")
    model = models.CharField(max_length=300, help_text="Model name or path that made the vector.")
    dim = models.PositiveSmallIntegerField()
    vector = models.BinaryField(help_text="float16 little-endian, L2-normalised.")
    text_hash = models.CharField(
        max_length=64, help_text="sha256 of the embedded text (title. abstract), hex."
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = EmbeddingQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["model"], name="embedding_model_idx")]

    def __str__(self) -> str:
        return f"{self.paper_id} ({self.model}, {self.dim}d)"

    def as_array(self) -> np.ndarray:
        return decode_vector(self.vector, self.dim)


def encode_vector(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()


def decode_vector(data: bytes | memoryview, dim: int) -> np.ndarray:
    array = np.frombuffer(bytes(data), dtype=VECTOR_DTYPE)
    if array.shape != (dim,):
        raise ValueError(f"stored vector has {array.size} values, expected {dim}")
    return array.astype(np.float32)

"""The paper store: Paper, Author and the ordered Authorship between them.

These models are the only code that touches paper tables; ingest writes through
:mod:`paperfeed.ingest.upsert`, everything else reads through the manager methods here.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from paperfeed.papers.ids import abs_url, pdf_url


class Author(models.Model):
    name = models.CharField(
        max_length=1000, unique=True, help_text="Display name, white space collapsed."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PaperQuerySet(models.QuerySet):
    def visible(self) -> PaperQuerySet:
        """Papers shown anywhere: not withdrawn from arXiv, not hidden by a moderator."""
        return self.filter(deleted=False, hidden=False)

    def in_category(self, category: str) -> PaperQuerySet:
        """Papers listed in ``category`` (primary or cross-listed); ``cs`` matches all ``cs.*``."""
        return self.filter(category_q(category))


def category_q(category: str) -> Q:
    """The condition "listed in ``category``" of :meth:`PaperQuerySet.in_category` (mutes
    exclude by it): the category itself among the space-separated ones, and for a name without
    a dot (``cs``) every ``cs.*`` too; an archive without subject classes (``quant-ph``,
    ``hep-th``) is matched as itself."""
    listed = (
        Q(categories=category)
        | Q(categories__startswith=category + " ")
        | Q(categories__endswith=" " + category)
        | Q(categories__contains=" " + category + " ")
    )
    if "." in category:
        return listed
    return (
        listed
        | Q(categories__startswith=category + ".")
        | Q(categories__contains=" " + category + ".")
    )


class Paper(models.Model):
    SOURCES = [
        ("arxiv-atom", "arXiv query API (Atom)"),
        ("oai-pmh", "arXiv OAI-PMH"),
        ("kaggle", "Kaggle arXiv snapshot"),
        ("jsonl", "paperfeed JSON lines"),
        ("hf-daily", "Hugging Face daily papers"),
    ]

    arxiv_id = models.CharField(
        primary_key=True, max_length=40, help_text="arXiv id without version."
    )
    version = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Latest version number known (empty: the source did not say).",
    )
    title = models.TextField(help_text="Title, white space collapsed, LaTeX kept.")
    title_raw = models.TextField(blank=True, default="", help_text="Title as arXiv sent it.")
    abstract = models.TextField(blank=True, default="", help_text="Abstract, unwrapped paragraphs.")
    abstract_raw = models.TextField(blank=True, default="", help_text="Abstract as arXiv sent it.")
    primary_category = models.CharField(max_length=40, blank=True, default="", db_index=True)
    categories = models.CharField(
        max_length=500, blank=True, default="", help_text="Space-separated, primary first."
    )
    published = models.DateField(null=True, blank=True, db_index=True, help_text="Date of v1.")
    updated = models.DateField(null=True, blank=True, help_text="Date of the latest version.")
    listed = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Day of the arXiv listing it first appeared in.",
    )
    comment = models.TextField(blank=True, default="")
    journal_ref = models.TextField(blank=True, default="")
    doi = models.CharField(max_length=300, blank=True, default="")
    license = models.CharField(max_length=300, blank=True, default="")
    source = models.CharField(
        max_length=20, choices=SOURCES, help_text="Source of the last change."
    )
    feed_day = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Day the paper is shown in the daily feed: the day it was submitted by a user, "
        "else its listing day, else its first-version date.",
    )
    upvotes = models.PositiveIntegerField(
        default=0, db_index=True, help_text="Community upvotes (count kept by the voting code)."
    )
    deleted = models.BooleanField(default=False, help_text="Withdrawn from arXiv's OAI-PMH feed.")
    hidden = models.BooleanField(
        default=False, help_text="Hidden by a moderator: shown nowhere (ingest never changes it)."
    )
    authors = models.ManyToManyField(Author, through="Authorship", related_name="papers")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["-published", "arxiv_id"]
        indexes = [
            models.Index(fields=["-listed", "arxiv_id"], name="paper_listed_idx"),
            models.Index(fields=["feed_day", "-upvotes"], name="paper_feed_idx"),
            # Visible papers only, with their categories: counting a category page (or all
            # visible papers: /metrics, the index catch-up) is an index-only scan instead of a
            # scan of the wide paper rows (74,728 papers on PostgreSQL: 108 ms -> 10 ms).
            models.Index(
                fields=["categories"],
                condition=models.Q(deleted=False, hidden=False),
                name="paper_visible_cat_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.arxiv_id}: {self.title[:80]}"

    @property
    def category_list(self) -> list[str]:
        return self.categories.split()

    @property
    def abs_url(self) -> str:
        return abs_url(self.arxiv_id)

    @property
    def pdf_url(self) -> str:
        return pdf_url(self.arxiv_id)

    @property
    def day(self):
        """The day the paper belongs to in feeds."""
        return self.feed_day or self.listed or self.published

    def ordered_authors(self) -> list[Author]:
        return [a.author for a in self.authorships.select_related("author").order_by("position")]


class Authorship(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="authorships")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="authorships")
    position = models.PositiveSmallIntegerField()
    affiliation = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["paper", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="authorship_unique_position")
        ]
        indexes = [models.Index(fields=["author", "paper"], name="authorship_author_idx")]

    def __str__(self) -> str:
        return f"{self.paper_id} #{self.position}: {self.author_id}"

"""What other services say about papers, with where and when it was fetched.

Absent is absent: a NULL count or an empty text means "no source said", never 0. Only
:mod:`paperfeed.signals.store` writes these tables; pages and rankings read them.

- :class:`PaperSignals`: one row per paper with the current value of each signal, and the star
  figures of its code (derived from the repositories, kept here so lists can sort in SQL);
- :class:`Repository` (code and Hugging Face artifacts) linked to papers by :class:`PaperRepository`;
- :class:`StarSnapshot`: a repository's stars per day, the history "stars gained this week" needs;
- :class:`SourceState`: per source, the last success and failure, a rate-limit pause and a cursor
  to resume from.
"""

from __future__ import annotations

from django.db import models

from paperfeed.papers.models import Paper


class PaperSignals(models.Model):
    paper = models.OneToOneField(
        Paper, primary_key=True, on_delete=models.CASCADE, related_name="signals"
    )
    # -- Hugging Face daily papers --------------------------------------------------------------
    hf_upvotes = models.PositiveIntegerField(
        null=True, blank=True, db_index=True, help_text="Upvotes on Hugging Face's paper page."
    )
    hf_day = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Day the paper was on Hugging Face's daily list (paper.submittedOnDailyAt).",
    )
    hf_submitted_by = models.CharField(
        max_length=100, blank=True, default="", help_text="HF user who put it on the daily list."
    )
    hf_comments = models.PositiveIntegerField(
        null=True, blank=True, help_text="Comments on Hugging Face (numComments)."
    )
    ai_summary = models.TextField(
        blank=True, default="", help_text="Hugging Face's AI summary (paper.ai_summary)."
    )
    ai_keywords = models.JSONField(
        default=list, blank=True, help_text="Hugging Face's AI keywords (paper.ai_keywords)."
    )
    project_page = models.URLField(max_length=500, blank=True, default="")
    org_name = models.CharField(
        max_length=200, blank=True, default="", help_text="Organisation id on HF (its URL name)."
    )
    org_fullname = models.CharField(max_length=300, blank=True, default="")
    org_avatar = models.URLField(max_length=500, blank=True, default="")
    hf_fetched_at = models.DateTimeField(null=True, blank=True)
    # -- Semantic Scholar -----------------------------------------------------------------------
    s2_id = models.CharField(max_length=64, blank=True, default="", help_text="S2 paperId.")
    tldr = models.TextField(blank=True, default="", help_text="Semantic Scholar's TL;DR.")
    citations = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    influential_citations = models.PositiveIntegerField(null=True, blank=True)
    venue = models.CharField(
        max_length=300, blank=True, default="", help_text='Publication venue, e.g. "NeurIPS 2025".'
    )
    open_access_pdf = models.URLField(max_length=500, blank=True, default="")
    s2_fetched_at = models.DateTimeField(
        null=True, blank=True, help_text="Last time S2 was asked (also when it did not know it)."
    )
    # -- derived from the linked repositories (store.refresh_code) --------------------------------
    has_code = models.BooleanField(default=False, db_index=True)
    code_url = models.URLField(
        max_length=500,
        blank=True,
        default="",
        help_text="Its best-starred repository (else the first linked), for cards.",
    )
    stars = models.PositiveIntegerField(
        null=True, blank=True, db_index=True, help_text="Stars of its best-starred repository."
    )
    stars_gained_week = models.IntegerField(
        null=True,
        blank=True,
        help_text="Stars that repository gained in the 7 days to its latest snapshot "
        "(empty: not two snapshots yet).",
    )

    class Meta:
        verbose_name_plural = "paper signals"

    def __str__(self) -> str:
        return f"signals of {self.paper_id}"


class Repository(models.Model):
    GITHUB, GITLAB = "github", "gitlab"
    HF_MODEL, HF_DATASET, HF_SPACE = "hf-model", "hf-dataset", "hf-space"
    KINDS = [
        (GITHUB, "GitHub repository"),
        (GITLAB, "GitLab project"),
        (HF_MODEL, "Hugging Face model"),
        (HF_DATASET, "Hugging Face dataset"),
        (HF_SPACE, "Hugging Face space"),
    ]
    UNCHECKED, OK, GONE = "unchecked", "ok", "gone"
    STATUSES = [
        (UNCHECKED, "not fetched from its host yet"),
        (OK, "fetched"),
        (GONE, "the host answered 404: deleted, private or never existed"),
    ]

    kind = models.CharField(max_length=20, choices=KINDS)
    name = models.CharField(max_length=300, help_text="owner/name as found (the host's case).")
    key = models.CharField(
        max_length=330, unique=True, help_text="kind:owner/name in lower case (hosts ignore case)."
    )
    stars = models.PositiveIntegerField(null=True, blank=True)
    forks = models.PositiveIntegerField(null=True, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True, help_text="Last push (GitHub).")
    license = models.CharField(max_length=100, blank=True, default="", help_text="SPDX id.")
    archived = models.BooleanField(null=True, blank=True)
    fork_of = models.CharField(max_length=300, blank=True, default="", help_text="Parent repo.")
    renamed_to = models.CharField(
        max_length=300, blank=True, default="", help_text="full_name after a redirect (renamed)."
    )
    status = models.CharField(max_length=20, choices=STATUSES, default=UNCHECKED, db_index=True)
    etag = models.CharField(max_length=200, blank=True, default="", help_text="For If-None-Match.")
    fetched_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "repositories"

    def __str__(self) -> str:
        return self.key

    @property
    def url(self) -> str:
        name = self.renamed_to or self.name
        return {
            self.GITHUB: f"https://github.com/{name}",
            self.GITLAB: f"https://gitlab.com/{name}",
            self.HF_MODEL: f"https://huggingface.co/{name}",
            self.HF_DATASET: f"https://huggingface.co/datasets/{name}",
            self.HF_SPACE: f"https://huggingface.co/spaces/{name}",
        }[self.kind]


class PaperRepository(models.Model):
    ARXIV, HF, PWC = "arxiv", "hf", "pwc"
    SOURCES = [
        (ARXIV, "named in the arXiv abstract or comments"),
        (HF, "Hugging Face's githubRepo"),
        (PWC, "Papers with Code"),
    ]

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="repository_links")
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="paper_links")
    source = models.CharField(max_length=10, choices=SOURCES, help_text="Who linked it first.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paper", "repository"], name="paper_repository_unique")
        ]

    def __str__(self) -> str:
        return f"{self.paper_id} -> {self.repository_id} ({self.source})"


class StarSnapshot(models.Model):
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="snapshots")
    day = models.DateField()
    stars = models.PositiveIntegerField()
    source = models.CharField(max_length=10, help_text="github, hf or pwc: who reported it.")

    class Meta:
        ordering = ["repository", "day"]
        constraints = [
            models.UniqueConstraint(fields=["repository", "day"], name="star_snapshot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.repository_id} {self.day}: {self.stars}"


class SourceState(models.Model):
    source = models.CharField(max_length=20, primary_key=True, help_text="hf, github, s2, pwc.")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    last_summary = models.JSONField(default=dict, blank=True, help_text="Counts of the last run.")
    paused_until = models.DateTimeField(
        null=True, blank=True, help_text="Rate limited: no request before this time."
    )
    cursor = models.JSONField(
        default=dict, blank=True, help_text="Where an interrupted run resumes (source-specific)."
    )

    def __str__(self) -> str:
        return self.source

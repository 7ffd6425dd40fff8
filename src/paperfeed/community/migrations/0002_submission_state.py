"""Submissions get a state: a paper not stored yet is queued for the worker to fetch from arXiv
(issue 14), so a submission names its arXiv id and holds a paper only once it is in the feed.
Existing submissions are papers in the feed: state done, arxiv_id their paper's id."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def copy_paper_ids(apps, schema_editor):
    Submission = apps.get_model("community", "Submission")
    Submission.objects.update(arxiv_id=models.F("paper_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("papers", "0005_visible_categories_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="arxiv_id",
            field=models.CharField(
                default="", help_text="The submitted paper's arXiv id.", max_length=40
            ),
            preserve_default=False,
        ),
        migrations.RunPython(copy_paper_ids, migrations.RunPython.noop, elidable=True),
        migrations.AddField(
            model_name="submission",
            name="state",
            field=models.CharField(
                choices=[
                    ("queued", "queued: waiting for the worker to fetch it from arXiv"),
                    ("fetching", "fetching from arXiv"),
                    ("done", "in the feed"),
                    ("failed", "failed"),
                ],
                default="done",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="submission",
            name="error",
            field=models.TextField(
                blank=True, default="", help_text="Why it failed, as the submitter reads it."
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="submission",
            name="updated",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="submission",
            name="paper",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="submission",
                to="papers.paper",
            ),
        ),
        migrations.AddConstraint(
            model_name="submission",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "failed"), _negated=True),
                fields=("arxiv_id",),
                name="submission_once_per_paper",
            ),
        ),
        migrations.AddConstraint(
            model_name="submission",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("paper__isnull", False), ("state", "done")),
                    models.Q(models.Q(("state", "done"), _negated=True), ("paper__isnull", True)),
                    _connector="OR",
                ),
                name="submission_paper_when_done",
            ),
        ),
    ]

"""Give papers stored before ``feed_day`` existed (0002 added the column empty) their feed day.

New papers get ``feed_day = listed or published`` from the importer and the submission day when a
user submits them; papers imported at 0001 kept NULL and were missing from every daily, weekly and
monthly feed and from digests after an upgrade. Only NULLs are filled, so running it on a database
created at 0002 or later changes nothing. ``updated_at`` is left alone: the search indexes do not
store ``feed_day``.
"""

from django.db import migrations
from django.db.models.functions import Coalesce


def backfill_feed_day(apps, schema_editor):
    Paper = apps.get_model("papers", "Paper")
    (
        Paper.objects.using(schema_editor.connection.alias)
        .filter(feed_day__isnull=True)
        .exclude(listed__isnull=True, published__isnull=True)
        .update(feed_day=Coalesce("listed", "published"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0003_paper_hidden"),
    ]

    operations = [
        migrations.RunPython(backfill_feed_day, migrations.RunPython.noop, elidable=False),
    ]

"""The skeletons of every username (paperfeed/accounts/usernames.py), for the look-alike check;
existing accounts get theirs here. Their usernames are left as they are (renaming a clash, or a
name that NFKC would change, is the admin's choice)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    from paperfeed.accounts.usernames import skeleton_hashes

    User = apps.get_model(settings.AUTH_USER_MODEL)
    UsernameSkeleton = apps.get_model("accounts", "UsernameSkeleton")
    users = User.objects.values_list("pk", "username")  # django.contrib.auth's User
    UsernameSkeleton.objects.bulk_create(
        (UsernameSkeleton(user_id=pk, hash=h) for pk, name in users for h in skeleton_hashes(name)),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="UsernameSkeleton",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "hash",
                    models.CharField(
                        db_index=True,
                        help_text="SHA-256 (hex) of a skeleton of the username.",
                        max_length=64,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="username_skeletons",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "hash"), name="usernameskeleton_user_hash"
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

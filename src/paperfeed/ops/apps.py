from django.apps import AppConfig, apps
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

PAGE_APPS = ("papers", "community", "signals", "claims", "orgs")
"""Apps whose rows anonymous pages show: any save or delete of one replaces the page cache's
version (paperfeed.ops.pagecache); bulk writes and UPDATEs call pagecache.changed themselves."""
PAPER_SCOPED = frozenset({"community.Vote"})
"""Rows that change what one paper's pages and the lists show, nothing of other papers' pages."""
UNSHOWN_FIELDS = frozenset({"last_login"})
"""Fields no page shows: a save of only these (a login) keeps the pages."""


def _page_rows_changed(sender, instance=None, update_fields=None, **kwargs) -> None:
    from paperfeed.ops import pagecache

    if update_fields and set(update_fields) <= UNSHOWN_FIELDS:
        return
    if sender._meta.label in PAPER_SCOPED and instance is not None:
        pagecache.paper_changed(instance.paper_id, sender.__name__)
    else:
        pagecache.changed(sender.__name__)


class OpsConfig(AppConfig):
    name = "paperfeed.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        models = [m for label in PAGE_APPS for m in apps.get_app_config(label).get_models()]
        for model in [*models, get_user_model()]:  # usernames show on comments and user pages
            post_save.connect(_page_rows_changed, sender=model, dispatch_uid=f"pages-{model}")
            post_delete.connect(_page_rows_changed, sender=model, dispatch_uid=f"pages-{model}")

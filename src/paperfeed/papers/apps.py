from django.apps import AppConfig
from django.conf import settings
from django.core.signals import setting_changed

from paperfeed.rankings import hot


class PapersConfig(AppConfig):
    name = "paperfeed.papers"
    label = "papers"
    verbose_name = "Papers"

    def ready(self) -> None:
        # the rankings package is pure (no Django): hand the hot ranking its weights once, and
        # again whenever a test overrides them (Django's setting_changed, as for cached settings)
        hot.configure(hot.Weights(**settings.PAPERFEED_HOT_WEIGHTS))
        setting_changed.connect(_hot_weights_changed)


def _hot_weights_changed(*, setting: str, value, **kwargs) -> None:
    if setting == "PAPERFEED_HOT_WEIGHTS":
        hot.configure(hot.Weights(**(value or {})))  # deleted: the defaults

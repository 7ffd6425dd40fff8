from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "paperfeed.digests"
    label = "digests"
    verbose_name = "Email digests"

    def ready(self) -> None:
        from paperfeed.digests import signup  # noqa: F401 - connects the sign-up receiver

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "paperfeed.ops"
    label = "ops"
    verbose_name = "Operations"

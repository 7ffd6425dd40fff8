from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "paperfeed.signals"
    label = "signals"
    verbose_name = "External signals"

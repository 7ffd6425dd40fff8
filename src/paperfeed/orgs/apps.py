from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "paperfeed.orgs"
    label = "orgs"
    verbose_name = "Organisations"

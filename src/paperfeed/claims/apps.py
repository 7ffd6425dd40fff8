from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "paperfeed.claims"
    label = "claims"
    verbose_name = "Claims: users who say they are an author"

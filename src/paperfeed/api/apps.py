from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "paperfeed.api"
    label = "api"
    verbose_name = "JSON API"

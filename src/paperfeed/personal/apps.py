from django.apps import AppConfig


class PersonalConfig(AppConfig):
    name = "paperfeed.personal"
    label = "personal"
    verbose_name = "Personal settings"

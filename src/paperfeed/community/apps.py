from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "paperfeed.community"
    label = "community"
    verbose_name = "Community"

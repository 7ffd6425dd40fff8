from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "paperfeed.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from paperfeed.accounts import usernames  # noqa: F401 - connects the username receivers

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "paperfeed.accounts"
    label = "accounts"
    verbose_name = "Accounts"

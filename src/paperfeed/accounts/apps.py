from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "paperfeed.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from paperfeed.accounts import revocation  # noqa: F401 - connects its receivers
        from paperfeed.accounts import usernames  # noqa: F401 - connects the username receivers

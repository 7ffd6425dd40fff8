from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "paperfeed.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # connect their receivers: tokens revoked with the password, usernames normalised
        from paperfeed.accounts import revocation, usernames  # noqa: F401

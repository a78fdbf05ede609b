from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "drumbeat.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from drumbeat.accounts.middleware import on_signed_in

        user_logged_in.connect(on_signed_in, dispatch_uid="drumbeat.accounts.idle")

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "drumbeat.accounts"
    label = "accounts"

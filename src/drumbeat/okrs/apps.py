from django.apps import AppConfig


class OkrsConfig(AppConfig):
    name = "drumbeat.okrs"
    label = "okrs"

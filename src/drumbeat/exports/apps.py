from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "drumbeat.exports"
    label = "exports"

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "drumbeat.imports"
    label = "imports"

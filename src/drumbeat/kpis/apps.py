from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "drumbeat.kpis"
    label = "kpis"

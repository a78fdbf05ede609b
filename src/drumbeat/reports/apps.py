from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "drumbeat.reports"
    label = "reports"

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "drumbeat.audit"
    label = "audit"

from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "drumbeat.worker"
    label = "worker"

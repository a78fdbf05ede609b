from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "drumbeat.notifications"
    label = "notifications"

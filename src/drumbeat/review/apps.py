from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "drumbeat.review"
    label = "review"

"""The shared helpers as a Django app, so every app's templates can load its
template libraries (`{% load dates %}`)."""

from __future__ import annotations

from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "drumbeat.common"
    label = "common"
    verbose_name = "Drumbeat common"

from django.urls import path

from drumbeat.imports import views

urlpatterns = [
    path("readings/", views.readings_imports, name="imports-readings"),
    path("readings/<int:pk>/", views.readings_import_run, name="imports-readings-run"),
    path(
        "readings/<int:pk>/layout/",
        views.readings_import_layout,
        name="imports-readings-layout",
    ),
    path(
        "readings/<int:pk>/start/",
        views.readings_import_start,
        name="imports-readings-start",
    ),
    path(
        "readings/<int:pk>/progress/",
        views.readings_import_progress,
        name="imports-readings-progress",
    ),
]

from django.urls import path

from drumbeat.exports import views

urlpatterns = [
    path("exports/", views.exports, name="exports"),
    path("exports/download/", views.export_download, name="export-download"),
]

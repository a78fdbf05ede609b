from django.urls import path

from drumbeat.worker import views

urlpatterns = [
    path("health/", views.health, name="health"),
]

from django.urls import path

from drumbeat.notifications import views

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path(
        "notifications/unsubscribe/<str:token>/",
        views.unsubscribe,
        name="notifications-unsubscribe",
    ),
]

from django.urls import path

from drumbeat.webhooks import views

urlpatterns = [
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/new/", views.webhook_create, name="webhook-create"),
    path("webhooks/<int:pk>/edit/", views.webhook_edit, name="webhook-edit"),
    path("webhooks/<int:pk>/rotate/", views.webhook_rotate, name="webhook-rotate"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook-delete"),
    path("webhooks/<int:pk>/test/", views.webhook_test, name="webhook-test"),
    path(
        "webhooks/<int:pk>/deliveries/",
        views.webhook_delivery_log,
        name="webhook-deliveries",
    ),
]

from django.urls import path

from drumbeat.review import views

urlpatterns = [
    path("review/kpis/", views.kpi_review, name="kpi-review"),
    path(
        "review/kpis/<str:key>/notes/",
        views.review_note_create,
        name="kpi-review-note",
    ),
    path(
        "review/kpis/<str:key>/investigations/",
        views.investigation_create,
        name="kpi-investigation-open",
    ),
    path("review/investigations/", views.investigations, name="investigations"),
    path(
        "review/investigations/<int:pk>/close/",
        views.investigation_closed,
        name="investigation-close",
    ),
]

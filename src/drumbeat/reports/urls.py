from django.urls import path

from drumbeat.reports import views

urlpatterns = [
    path("cycles/<str:key>/report/", views.board_report_page, name="board-report"),
    path(
        "cycles/<str:key>/report.pdf", views.board_report_pdf, name="board-report-pdf"
    ),
    path(
        "cycles/<str:key>/report/commentary/<str:section>/",
        views.commentary_save,
        name="board-report-commentary",
    ),
]

from django.urls import path

from drumbeat.scorecard import views

urlpatterns = [
    path("kpis/<slug:key>/", views.kpi_detail, name="kpi-detail"),
    path("kpis/<slug:key>/readings/", views.reading_create, name="reading-create"),
    path("kpis/<slug:key>/dividers/", views.kpi_divider, name="kpi-divider"),
    path("cycles/<str:key>/plan/", views.cycle_plan, name="cycle-plan"),
    path("cycles/<str:key>/close/", views.cycle_close_page, name="cycle-close"),
    path("cycles/<str:key>/reopen/", views.cycle_reopen, name="cycle-reopen"),
    path(
        "cycles/<str:key>/retrospective/",
        views.cycle_retrospective,
        name="cycle-retrospective",
    ),
    path(
        "objectives/<str:objective_key>/key-results/lint/",
        views.key_result_lint,
        name="key-result-lint",
    ),
]

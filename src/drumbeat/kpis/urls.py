from django.urls import path

from drumbeat.kpis import help_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(
        "dashboard/<slug:section>/",
        views.dashboard_section,
        name="dashboard-section",
    ),
    path("kpis/", views.kpi_dictionary, name="kpi-dictionary"),
    path("help/", help_views.help_page, name="help"),
    path("kpis/new/", views.kpi_create, name="kpi-create"),
    path("kpis/lint/", views.kpi_lint, name="kpi-lint"),
    path("kpis/<slug:key>/edit/", views.kpi_edit, name="kpi-edit"),
    path("kpis/<slug:key>/source/", views.kpi_source_edit, name="kpi-source-edit"),
    path("kpis/<slug:key>/pull/", views.source_pull_now, name="source-pull-now"),
    path(
        "kpis/<slug:key>/archive/",
        views.kpi_archived,
        {"archived": True},
        name="kpi-archive",
    ),
    path(
        "kpis/<slug:key>/restore/",
        views.kpi_archived,
        {"archived": False},
        name="kpi-restore",
    ),
]

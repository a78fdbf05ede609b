from django.urls import path

from drumbeat.kpis import factor_views, help_views, views

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
    path(
        "critical-success-factors/",
        factor_views.critical_success_factors,
        name="critical-success-factors",
    ),
    path(
        "critical-success-factors/<str:key>/rename/",
        factor_views.critical_success_factor_change,
        {"action": "rename"},
        name="critical-success-factor-rename",
    ),
    path(
        "critical-success-factors/<str:key>/delete/",
        factor_views.critical_success_factor_change,
        {"action": "delete"},
        name="critical-success-factor-delete",
    ),
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

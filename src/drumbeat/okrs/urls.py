from django.urls import path

from drumbeat.okrs import calibration_views, strategy_map_views, views

ARCHIVE = {"archived": True}
RESTORE = {"archived": False}

urlpatterns = [
    path("calibration/", calibration_views.calibration_page, name="calibration"),
    path(
        "strategy-map/",
        strategy_map_views.strategy_map_page,
        name="strategy-map",
    ),
    path("cycles/", views.cycles_index, name="cycles"),
    path("cycles/new/", views.cycle_create, name="cycle-create"),
    path("cycles/<str:key>/edit/", views.cycle_edit, name="cycle-edit"),
    path("cycles/<str:key>/", views.cycle_board, name="cycle-board"),
    path(
        "cycles/<str:key>/objectives/new/",
        views.objective_create,
        name="objective-create",
    ),
    path("objectives/<str:key>/", views.objective_detail, name="objective-detail"),
    path("objectives/<str:key>/edit/", views.objective_edit, name="objective-edit"),
    path(
        "objectives/<str:objective_key>/key-results/new/",
        views.key_result_create,
        name="key-result-create",
    ),
    path(
        "objectives/<str:objective_key>/key-results/<str:kr_key>/edit/",
        views.key_result_edit,
        name="key-result-edit",
    ),
    path(
        "objectives/<str:objective_key>/key-results/<str:kr_key>/check-ins/",
        views.check_in,
        name="check-in",
    ),
    path(
        "cycles/<str:key>/archive/",
        views.cycle_archived,
        ARCHIVE,
        name="cycle-archive",
    ),
    path(
        "cycles/<str:key>/restore/",
        views.cycle_archived,
        RESTORE,
        name="cycle-restore",
    ),
    path(
        "objectives/<str:key>/archive/",
        views.objective_archived,
        ARCHIVE,
        name="objective-archive",
    ),
    path(
        "objectives/<str:key>/restore/",
        views.objective_archived,
        RESTORE,
        name="objective-restore",
    ),
    path(
        "objectives/<str:objective_key>/key-results/<str:kr_key>/archive/",
        views.key_result_archived,
        ARCHIVE,
        name="key-result-archive",
    ),
    path(
        "objectives/<str:objective_key>/key-results/<str:kr_key>/restore/",
        views.key_result_archived,
        RESTORE,
        name="key-result-restore",
    ),
    path(
        "check-ins/<int:pk>/archive/",
        views.check_in_archived,
        ARCHIVE,
        name="check-in-archive",
    ),
    path(
        "check-ins/<int:pk>/restore/",
        views.check_in_archived,
        RESTORE,
        name="check-in-restore",
    ),
    path("check-ins/<int:pk>/delete/", views.check_in_deleted, name="check-in-delete"),
]

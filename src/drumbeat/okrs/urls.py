from django.urls import path

from drumbeat.okrs import views

urlpatterns = [
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
]

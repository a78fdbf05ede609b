from django.urls import path

from drumbeat.review import okr_views

urlpatterns = [
    path("me/", okr_views.my_week_page, name="my-week"),
    path(
        "me/key-results/<str:objective_key>/<str:kr_key>/check-ins/",
        okr_views.my_week_check_in,
        name="my-week-check-in",
    ),
    path("review/okrs/", okr_views.checkin_meeting, name="checkin-agenda"),
]

"""A person's own settings: display name, e-mail, time zone and which messages
they want by e-mail; the profile is made on the first save, not on a read."""

from __future__ import annotations

import pytest

from drumbeat.accounts.models import Profile
from drumbeat.accounts.selectors import profile_of
from drumbeat.audit.models import Event
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PAGE = "/me/settings/"


def _form(**changes: str) -> dict[str, str]:
    form = {
        "first_name": "Maya",
        "last_name": "Chen",
        "email": "maya@example.com",
        "time_zone": "Europe/Paris",
        "email_check_in_reminders": "on",
        "email_digest": "on",
    }
    form.update(changes)
    return form


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer", "outsider"])
def test_everyone_signed_in_sees_their_own_settings(users, role):
    response = client_for(users[role]).get(PAGE)
    assert response.status_code == 200
    assert '<option value="Europe/Paris">' in response.content.decode()
    assert not Profile.objects.exists()  # a read writes nothing


def test_anonymous_visitors_are_sent_to_sign_in(db):
    response = client_for(None).get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_profile_of_is_an_unsaved_default_until_the_first_save(users):
    profile = profile_of(users["viewer"])
    assert profile.pk is None
    assert (profile.time_zone, profile.email_digest) == ("", True)


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_a_person_saves_their_own_settings(users, role):
    person = users[role]
    response = client_for(person).post(PAGE, _form())
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.get_full_name(), person.email) == ("Maya Chen", "maya@example.com")
    profile = Profile.objects.get(user=person)
    assert profile.time_zone == "Europe/Paris"
    assert (
        profile.email_check_in_reminders,
        profile.email_reading_reminders,
        profile.email_digest,
    ) == (True, False, True)
    assert Event.objects.get(subject=person.username, action="changed").actor == person


def test_an_unknown_time_zone_is_refused_beside_the_field(users):
    response = client_for(users["viewer"]).post(PAGE, _form(time_zone="Mars/Base"))
    assert response.status_code == 400
    assert "Mars/Base is not one of the available choices" in response.content.decode()
    assert not Profile.objects.exists()


def test_a_bad_email_is_refused_and_nothing_saved(users):
    response = client_for(users["viewer"]).post(PAGE, _form(email="not-an-address"))
    assert response.status_code == 400
    users["viewer"].refresh_from_db()
    assert users["viewer"].first_name == ""


def test_the_header_names_the_person_and_their_menu_links_to_their_settings(users):
    users["viewer"].first_name = "Vera"
    users["viewer"].save()
    page = client_for(users["viewer"]).get("/").content.decode()
    menu = page.split('data-menu="person">', 1)[1].split("</details>", 1)[0]
    assert "<summary>Vera</summary>" in menu
    assert '<a href="/me/settings/">My settings</a>' in menu


def test_people_change_only_their_own_settings(users):
    from django.core.exceptions import PermissionDenied

    from drumbeat.accounts.services import profile_update

    with pytest.raises(PermissionDenied):
        profile_update(
            person=users["viewer"], values={"time_zone": "UTC"}, by=users["editor"]
        )
    assert not Profile.objects.exists()


def test_the_service_refuses_a_time_zone_that_is_not_one(users):
    from django.core.exceptions import ValidationError

    from drumbeat.accounts.services import profile_update

    with pytest.raises(ValidationError, match="'Mars/Base' is not a time zone"):
        profile_update(
            person=users["viewer"],
            values={"time_zone": "Mars/Base"},
            by=users["viewer"],
        )

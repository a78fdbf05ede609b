"""Signing in with a password: lockouts after failed sign-ins (per account and per
address, checked before any password is hashed), the admins' page of lockouts,
the bound on Argon2's memory, the password rules, and sessions that end when idle."""

from __future__ import annotations

import datetime as dt
import runpy
import threading
import time
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import check_password, get_hasher
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.utils import timezone

from drumbeat.accounts import hashers, services
from drumbeat.accounts.lockouts import client_address
from drumbeat.accounts.services import sessions_clear_daily
from drumbeat.server import settings as settings_module
from tests.accounts.test_sso import count_hashes
from tests.conftest import PASSWORD, assert_admins_only, client_for, signs_in

LOCKED_OUT = (
    "Too many failed sign-ins for this account or address: try again in 15 "
    "minutes, or ask an admin to unlock it."
)
WRONG = "Please enter a correct username and password."


def sign_in(client: Client, username: str, password: str, address: str = "") -> Any:
    extra: dict[str, Any] = {"REMOTE_ADDR": address} if address else {}
    return client.post(
        "/sign-in/", {"username": username, "password": password}, **extra
    )


# --- Lockouts ---------------------------------------------------------------------


def test_five_failures_lock_an_account_until_the_cool_off_has_passed(
    users, time_machine
):
    client = Client()
    for _ in range(4):
        response = sign_in(client, "viewer", "wrong password")
        assert (response.status_code, WRONG in response.content.decode()) == (200, True)
    fifth = sign_in(client, "viewer", "wrong password")
    assert fifth.status_code == 429
    assert LOCKED_OUT in fifth.content.decode()

    right = sign_in(client, "viewer", PASSWORD)
    assert right.status_code == 429
    assert LOCKED_OUT in right.content.decode()
    assert "_auth_user_id" not in client.session

    time_machine.move_to(timezone.now() + dt.timedelta(minutes=14), tick=False)
    assert sign_in(client, "viewer", PASSWORD).status_code == 429
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=2), tick=False)
    assert sign_in(client, "viewer", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(users["viewer"].pk)


def test_a_locked_out_sign_in_hashes_no_password(users, monkeypatch, settings):
    settings.DRUMBEAT_LOCKOUT_FAILURES = 2
    hashes = count_hashes(monkeypatch)
    sign_in(Client(), "viewer", "wrong password")
    assert hashes == ["verify"]  # a sign-in not locked out checks the password
    sign_in(Client(), "viewer", "wrong password")
    hashes.clear()
    assert sign_in(Client(), "viewer", PASSWORD).status_code == 429
    assert sign_in(Client(), "viewer", "again wrong").status_code == 429
    assert hashes == []


def test_an_account_is_locked_whatever_the_address(users, settings):
    settings.DRUMBEAT_LOCKOUT_FAILURES = 2
    sign_in(Client(), "viewer", "wrong", address="10.0.0.1")
    sign_in(Client(), "viewer", "wrong", address="10.0.0.2")
    response = sign_in(Client(), "viewer", PASSWORD, address="10.0.0.3")
    assert response.status_code == 429
    assert sign_in(Client(), "editor", PASSWORD, address="10.0.0.3").status_code == 302


def test_an_address_is_locked_after_its_own_limit_whatever_the_account(users, settings):
    settings.DRUMBEAT_LOCKOUT_FAILURES = 5
    settings.DRUMBEAT_LOCKOUT_ADDRESS_FAILURES = 3
    for username in ("ann", "bob"):
        assert sign_in(Client(), username, "x", address="10.0.0.9").status_code == 200
    assert sign_in(Client(), "cid", "x", address="10.0.0.9").status_code == 429
    refused = sign_in(Client(), "editor", PASSWORD, address="10.0.0.9")
    assert (refused.status_code, LOCKED_OUT in refused.content.decode()) == (429, True)
    assert sign_in(Client(), "editor", PASSWORD, address="10.0.0.8").status_code == 302


def test_a_sign_in_forgets_the_accounts_failures(users, settings):
    settings.DRUMBEAT_LOCKOUT_FAILURES = 2
    sign_in(Client(), "viewer", "wrong")
    assert sign_in(Client(), "viewer", PASSWORD).status_code == 302
    assert sign_in(Client(), "viewer", "wrong").status_code == 200  # one, not two


def test_a_sign_in_does_not_forget_the_addresss_failures(users, settings):
    settings.DRUMBEAT_LOCKOUT_ADDRESS_FAILURES = 3
    for username in ("ann", "bob"):
        sign_in(Client(), username, "x", address="10.0.0.4")
    assert sign_in(Client(), "editor", PASSWORD, address="10.0.0.4").status_code == 302
    assert sign_in(Client(), "cid", "x", address="10.0.0.4").status_code == 429


def test_the_lockout_page_keeps_the_username_typed(users, settings):
    settings.DRUMBEAT_LOCKOUT_FAILURES = 1
    page = sign_in(Client(), "viewer", "wrong").content.decode()
    assert 'value="viewer"' in page
    assert 'name="password"' in page


# --- The address a sign-in comes from ----------------------------------------------


def _request(**meta: Any) -> Any:
    return RequestFactory().post("/sign-in/", REMOTE_ADDR="10.9.9.9", **meta)


def test_the_proxy_header_is_ignored_unless_a_proxy_is_trusted(settings):
    settings.DRUMBEAT_TRUSTED_PROXY = False
    request = _request(HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_address(request) == "10.9.9.9"


def test_behind_a_trusted_proxy_the_address_it_added_is_the_clients(settings):
    settings.DRUMBEAT_TRUSTED_PROXY = True
    # A client may send its own header: the proxy appends the address it saw.
    request = _request(HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert client_address(request) == "203.0.113.7"


def test_the_proxy_header_can_be_named(settings):
    settings.DRUMBEAT_TRUSTED_PROXY = True
    settings.DRUMBEAT_PROXY_HEADER = "X-Real-IP"
    request = _request(HTTP_X_REAL_IP="2001:db8::1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == "2001:db8::1"


def test_a_header_that_is_no_address_counts_as_the_proxys(settings, caplog):
    settings.DRUMBEAT_TRUSTED_PROXY = True
    assert client_address(_request(HTTP_X_FORWARDED_FOR="unknown")) == "10.9.9.9"
    assert "'unknown' is not an address" in caplog.text


def test_behind_a_trusted_proxy_lockouts_are_by_the_clients_address(users, settings):
    settings.DRUMBEAT_TRUSTED_PROXY = True
    settings.DRUMBEAT_LOCKOUT_ADDRESS_FAILURES = 2
    settings.DRUMBEAT_LOCKOUT_FAILURES = 5
    proxied: dict[str, Any] = {
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_X_FORWARDED_FOR": "203.0.113.7",
    }
    for username in ("ann", "bob"):
        Client().post("/sign-in/", {"username": username, "password": "x"}, **proxied)
    other: dict[str, Any] = {
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_X_FORWARDED_FOR": "203.0.113.8",
    }
    response = Client().post(
        "/sign-in/", {"username": "editor", "password": PASSWORD}, **other
    )
    assert response.status_code == 302


# --- The admins' page of lockouts --------------------------------------------------


@pytest.mark.parametrize("role", [None, "admin", "editor", "viewer", "outsider"])
def test_only_admins_see_and_clear_lockouts(users, role):
    client = client_for(users[role] if role else None)
    assert_admins_only(client.get("/people/lockouts/"), role)
    cleared = client.post("/people/lockouts/clear/", {"kind": "account", "who": "x"})
    assert_admins_only(cleared, role)


def test_the_lockouts_page_lists_locked_accounts_and_addresses(users, settings):
    settings.DRUMBEAT_LOCKOUT_FAILURES = 2
    settings.DRUMBEAT_LOCKOUT_ADDRESS_FAILURES = 3
    sign_in(Client(), "viewer", "wrong", address="10.0.0.5")
    sign_in(Client(), "viewer", "wrong", address="10.0.0.6")
    sign_in(Client(), "ann", "wrong", address="10.0.0.6")
    sign_in(Client(), "bob", "wrong", address="10.0.0.6")
    page = client_for(users["admin"]).get("/people/lockouts/").content.decode()
    assert 'data-lockout="account:viewer"' in page
    assert 'data-lockout="address:10.0.0.6"' in page
    assert 'data-lockout="address:10.0.0.5"' not in page  # one failure of three
    assert 'data-lockout="account:ann"' not in page  # one failure of two
    assert "An account is refused sign-ins after 2 failed ones, an address after 3" in (
        page
    )
    until = (timezone.localtime() + dt.timedelta(minutes=15)).strftime("%Y-%m-%d")
    assert until in page


def test_an_admin_unlocks_an_account_and_it_signs_in_at_once(users, settings):
    settings.DRUMBEAT_LOCKOUT_FAILURES = 2
    sign_in(Client(), "viewer", "wrong")
    sign_in(Client(), "viewer", "wrong")
    assert sign_in(Client(), "viewer", PASSWORD).status_code == 429
    response = client_for(users["admin"]).post(
        "/people/lockouts/clear/", {"kind": "account", "who": "viewer"}, follow=True
    )
    assert "The account viewer may sign in again." in response.content.decode()
    assert 'data-lockout="account:viewer"' not in response.content.decode()
    assert signs_in("viewer", PASSWORD)


def test_an_admin_unlocks_an_address(users, settings):
    settings.DRUMBEAT_LOCKOUT_ADDRESS_FAILURES = 1
    sign_in(Client(), "ann", "wrong", address="10.0.0.7")
    assert sign_in(Client(), "viewer", PASSWORD, address="10.0.0.7").status_code == 429
    client_for(users["admin"]).post(
        "/people/lockouts/clear/", {"kind": "address", "who": "10.0.0.7"}
    )
    assert sign_in(Client(), "viewer", PASSWORD, address="10.0.0.7").status_code == 302


def test_an_unlock_of_nothing_is_refused_with_a_message(users):
    response = client_for(users["admin"]).post(
        "/people/lockouts/clear/", {"kind": "team", "who": "x"}, follow=True
    )
    assert "Choose an account or an address to unlock." in response.content.decode()


def test_the_people_page_links_to_the_lockouts(users):
    page = client_for(users["admin"]).get("/people/").content.decode()
    assert 'href="/people/lockouts/"' in page


# --- Argon2's memory under a flood -------------------------------------------------


def test_passwords_are_hashed_with_djangos_argon2_at_most_two_at_once():
    assert django_settings.PASSWORD_HASHERS[0] == (
        "drumbeat.accounts.hashers.BoundedArgon2PasswordHasher"
    )
    hasher = get_hasher()
    assert (hasher.algorithm, hasher.memory_cost, hasher.time_cost) == (
        "argon2",
        102_400,
        2,
    )
    assert django_settings.DRUMBEAT_PASSWORD_CHECKS_AT_ONCE == 2


def test_no_more_password_checks_run_at_once_than_the_setting_allows(
    monkeypatch, password_hash
):
    """Six checks at once: two run, the others wait for a slot, so Argon2 never
    holds more than two times its memory."""
    import argon2

    running, most, lock = 0, 0, threading.Lock()
    release = threading.Event()

    def verify(self: Any, hash: str, password: str) -> bool:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        release.wait(timeout=10)
        with lock:
            running -= 1
        return True

    monkeypatch.setattr(argon2.PasswordHasher, "verify", verify)
    results: list[bool] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(check_password("x", password_hash))
        )
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while running < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # room for a third to start, were there no bound
    assert running == 2
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert (most, results) == (2, [True] * 6)
    assert hashers.hashing_slots()._value == 2  # every slot given back


# --- The password rules ------------------------------------------------------------


def test_a_short_numeric_password_is_refused_on_the_password_page(users):
    client = client_for(users["viewer"])
    response = client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "58204719",
            "new_password2": "58204719",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "This password is too short. It must contain at least 12 characters." in page
    assert "This password is entirely numeric." in page
    assert User.objects.get(username="viewer").check_password(PASSWORD)


def test_a_common_password_is_refused_on_the_password_page(users):
    response = client_for(users["viewer"]).post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "password1234",
            "new_password2": "password1234",
        },
    )
    assert "This password is too common." in response.content.decode()


def test_a_good_password_is_taken_on_the_password_page(users):
    new = "a walk by the quiet river"
    response = client_for(users["viewer"]).post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert User.objects.get(username="viewer").check_password(new)


def test_the_django_admin_applies_the_rules_when_an_admin_sets_a_password(users):
    viewer = users["viewer"]
    response = client_for(users["admin"]).post(
        f"/admin/auth/user/{viewer.pk}/password/",
        {"password1": "58204719", "password2": "58204719", "usable_password": "true"},
    )
    assert "This password is too short." in response.content.decode()
    assert User.objects.get(username="viewer").check_password(PASSWORD)


def test_a_made_password_that_breaks_the_rules_is_made_again(users, monkeypatch):
    made = iter(["58204719", "a-long-random-Password-1"])
    monkeypatch.setattr("secrets.token_urlsafe", lambda n: next(made))
    issued = services.person_password_reset(person=users["viewer"], by=users["admin"])
    assert issued.password == "a-long-random-Password-1"


# --- Sessions ----------------------------------------------------------------------


def test_a_session_ends_after_eight_hours_without_a_request(users, time_machine):
    assert django_settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    client = client_for(users["viewer"])
    start = timezone.now()
    time_machine.move_to(start + dt.timedelta(hours=7, minutes=58), tick=False)
    assert client.get("/kpis/").status_code == 200  # used: its idle time restarts
    time_machine.move_to(start + dt.timedelta(hours=15, minutes=56), tick=False)
    assert client.get("/kpis/").status_code == 200
    time_machine.move_to(start + dt.timedelta(hours=24), tick=False)
    response = client.get("/kpis/")
    assert (response.status_code, response["Location"]) == (
        302,
        "/sign-in/?next=/kpis/",
    )


def test_the_idle_time_is_a_setting(users, settings, time_machine):
    settings.SESSION_COOKIE_AGE = 30 * 60
    client = client_for(users["viewer"])
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=31), tick=False)
    assert client.get("/kpis/").status_code == 302


def _session(expires: dt.datetime) -> str:
    store = SessionStore()
    store["x"] = 1
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=expires)
    return str(store.session_key)


def test_ended_sessions_are_cleared_once_a_day(db):
    now = timezone.now()
    ended = _session(now - dt.timedelta(days=1))
    live = _session(now + dt.timedelta(hours=1))
    assert sessions_clear_daily() is True
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    just_ended = _session(now - dt.timedelta(seconds=1))
    assert sessions_clear_daily() is False  # cleared today already: tomorrow
    assert Session.objects.filter(session_key=just_ended).exists()
    assert not Session.objects.filter(session_key=ended).exists()


# --- Settings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DRUMBEAT_LOCKOUT_FAILURES", "0", "DRUMBEAT_LOCKOUT_FAILURES must be 1 or"),
        (
            "DRUMBEAT_LOCKOUT_MINUTES",
            "soon",
            "DRUMBEAT_LOCKOUT_MINUTES must be a whole",
        ),
        ("DRUMBEAT_SESSION_IDLE_MINUTES", "0", "DRUMBEAT_SESSION_IDLE_MINUTES must be"),
        ("DRUMBEAT_TRUSTED_PROXY", "maybe", "DRUMBEAT_TRUSTED_PROXY must be true or"),
        ("DRUMBEAT_OIDC_ISSUER", "id.example.com", "starting with https://"),
        (
            "DRUMBEAT_OIDC_ONLY",
            "true",
            "DRUMBEAT_OIDC_ONLY needs single sign-on set up",
        ),
    ],
)
def test_a_bad_sign_in_setting_stops_start_up_naming_it(
    monkeypatch, tmp_path, variable, value, message
):
    monkeypatch.setenv("DRUMBEAT_SECRET_KEY", "test")
    monkeypatch.setenv("DRUMBEAT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv(variable, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        runpy.run_path(str(settings_module.__file__))


def test_the_sign_in_settings_read_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DRUMBEAT_SECRET_KEY", "test")
    monkeypatch.setenv("DRUMBEAT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DRUMBEAT_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("DRUMBEAT_OIDC_ISSUER", "https://id.example.com/")
    monkeypatch.setenv("DRUMBEAT_OIDC_CLIENT_ID", "drumbeat")
    monkeypatch.setenv("DRUMBEAT_OIDC_PASSWORD_USERS", "root, ops")
    loaded = runpy.run_path(str(settings_module.__file__))
    assert loaded["SESSION_COOKIE_AGE"] == 1800
    assert loaded["DRUMBEAT_OIDC_ISSUER"] == "https://id.example.com"
    assert loaded["DRUMBEAT_OIDC_PASSWORD_USERS"] == ["root", "ops"]
    assert loaded["AUTHENTICATION_BACKENDS"][0] == (
        "axes.backends.AxesStandaloneBackend"
    )
    assert loaded["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"

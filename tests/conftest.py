"""What every test shares: a pinned clock, the sample workspaces, one user per role
and the helpers the web tests use.

No test may depend on the day it runs. The sample organisation's readings end on
2026-11-20, and pages judge staleness, lifecycle and the running cycle against
today, so the whole run travels to the day the sample is read as of (the
README's and `make demo`'s as-of date) before any test module is imported: a
module-level `timezone.localdate()` sees it too. The clock ticks on from there,
so durations and timeouts still pass. A test that needs another day travels
there itself with the `time_machine` fixture.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings
from hypothesis import settings as hypothesis_settings

from drumbeat.accounts.models import Membership, Team
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace, load_workspace_text
from tests.accounts.oidc_provider import Provider

PINNED_NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
"""The moment every test starts from (the sample is read as of 2026-11-25)."""

_travel = time_machine.travel(PINNED_NOW, tick=True)

_static_files_from_the_package = override_settings(
    STORAGES=settings.STORAGES
    | {
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        }
    },
    STATIC_ROOT=None,
    WHITENOISE_USE_FINDERS=True,
    WHITENOISE_AUTOREFRESH=True,
)
"""The pages' static files as they are in the package, as when debugging: the
hashed names of production need `collectstatic` into STATIC_ROOT, which the tests
of serving (tests/cli/test_serve.py) run themselves. From the start, before any
test module makes a WSGI handler."""


@pytest.fixture(autouse=True)
def _tables_as_ci_logs_show_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line's tables as a CI log shows them (160 columns, see
    `drumbeat.cli.output`), whatever terminal or test worker runs the tests."""
    monkeypatch.delenv("COLUMNS", raising=False)


# Hypothesis's time limit per example (200 ms) measures the machine, not the
# code: on a shared CI machine an example of a pure rule took 343 ms and failed.
hypothesis_settings.register_profile("drumbeat", deadline=None)
hypothesis_settings.load_profile("drumbeat")


def pytest_configure(config: pytest.Config) -> None:
    _travel.start()
    _static_files_from_the_package.enable()


def pytest_unconfigure(config: pytest.Config) -> None:
    _static_files_from_the_package.disable()
    _travel.stop()


def environment_without_drumbeat(**variables: str) -> dict[str, str]:
    """This process's environment without Drumbeat's settings (`DATABASE_URL`,
    `DRUMBEAT_*`), with `variables`: for a `drumbeat` command run as a process."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if name != "DATABASE_URL" and not name.startswith("DRUMBEAT_")
    }
    return kept | variables


EXAMPLE = Path(__file__).parents[1] / "examples" / "okrs.yaml"
PASSWORD = "correct horse battery staple"

SMALL = """\
version: 1
organisation: Test Co
teams:
  - {key: company, name: Test Co}
  - {key: support, name: Support, parent: company}
kpis:
  - key: csat
    name: Customer satisfaction
    description: Share of satisfied survey answers.
    unit: percent
    cadence: weekly
    owner: Grace
    team: support
    perspective: customer
    tier: key
    north_star: true
    thresholds: {green: 90, red: 80}
    readings:
      - {at: 2026-06-26, value: 85}
      - {at: 2026-07-03, value: 88}
  - key: churn
    name: Logo churn
    direction: down
    unit: percent
    cadence: monthly
    team: support
    perspective: financial
    thresholds: {green: 1.5, red: 2}
    readings:
      - {at: 2026-06-30, value: 2.5}
cycles:
  - {key: 2026-Q3, start: 2026-07-01, end: 2026-09-30}
objectives:
  - key: happier
    title: Customers are happier with support
    cycle: 2026-Q3
    team: support
    owner: Grace
    key_results:
      - {key: csat-up, kpi: csat, target: 95}
      - {key: churn-down, kpi: churn, target: 1.5}
"""
TODAY = dt.date(2026, 7, 6)


@pytest.fixture
def small_workspace(db: None) -> None:
    workspace_apply(load_workspace_text(SMALL))


@pytest.fixture
def sample_workspace(db: None) -> None:
    workspace_apply(load_workspace(EXAMPLE))


@pytest.fixture(scope="session")
def password_hash() -> str:
    """PASSWORD hashed once for the whole run: Argon2 is slow by design (a
    fraction of a second a hash), and five people a test would spend most of the
    suite's time hashing the same password. The tests of the people pages still
    see each new password hashed with Argon2."""
    return make_password(PASSWORD)


def make_user(password_hash: str, username: str, **fields: Any) -> User:
    """A person who signs in with PASSWORD, without hashing it again."""
    user = User(username=username, password=password_hash, **fields)
    user.save()
    return user


@pytest.fixture
def users(db: None, password_hash: str) -> dict[str, User]:
    """admin (staff), editor of `support`, viewer of `support`, outsider (no team)."""
    return make_people(password_hash)


def make_people(password_hash: str) -> dict[str, User]:
    """One person per role, as `users` (for fixtures wider than a test)."""
    support, _ = Team.objects.get_or_create(key="support", defaults={"name": "Support"})
    people = {
        "admin": make_user(password_hash, "admin", is_staff=True, is_superuser=True),
        "editor": make_user(password_hash, "editor"),
        "owner": make_user(password_hash, "owner"),
        "viewer": make_user(password_hash, "viewer"),
        "outsider": make_user(password_hash, "outsider"),
    }
    Membership.objects.create(user=people["editor"], team=support, role="editor")
    Membership.objects.create(user=people["viewer"], team=support, role="viewer")
    return people


@pytest.fixture
def sso(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Provider]:
    """Single sign-on set up with a provider of the tests' own, on 127.0.0.1."""
    with Provider() as provider:
        settings.DRUMBEAT_OIDC_ISSUER = provider.issuer
        settings.DRUMBEAT_OIDC_CLIENT_ID = provider.client_id
        settings.DRUMBEAT_OIDC_NAME = "Acme ID"
        monkeypatch.setenv("DRUMBEAT_OIDC_CLIENT_SECRET", provider.client_secret)
        yield provider


def words(html: str) -> str:
    """A page's text without its tags: what a reader sees of
    `<time datetime="...">2026-11-20 10:04 UTC</time>`."""
    return re.sub(r"<[^>]+>", "", html)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def signs_in(username: str, password: str, client: Client | None = None) -> bool:
    """Whether the sign-in page signs `username` in with `password` (the way a
    person does: lockouts and single sign-on's rules apply)."""
    client = client or Client()
    response = client.post("/sign-in/", {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def assert_admins_only(response: Any, role: str | None) -> None:
    """Admins are served; anyone else signed in is refused; anonymous visitors are
    sent to sign in."""
    if role is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/?next=")
    elif role == "admin":
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403


def key_result_form(**changes: str) -> dict[str, str]:
    """The KR form as a team editor sends it: csat-up on csat, target 95."""
    form = {
        "key": "csat-up",
        "title": "Raise CSAT to 95",
        "kpi": "csat",
        "kind": "change",
        "baseline": "",
        "target": "95",
        "deadline": "",
        "owner_name": "Grace",
        "weight": "1",
        "version": "1",
    }
    form.update(changes)
    return form


def migrate(to: list[tuple[str, str]]) -> Any:
    """Migrate the test database to `to`; the models (apps) as they are there.
    For tests of migrations (`django_db(transaction=True)`), which end with
    `migrate(latest_migrations())`."""
    executor = MigrationExecutor(connection)
    executor.migrate(to)
    executor.loader.build_graph()
    return executor.loader.project_state(to).apps


def latest_migrations() -> list[tuple[str, str]]:
    return list(MigrationExecutor(connection).loader.graph.leaf_nodes())

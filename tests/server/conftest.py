"""Shared fixtures of the web application's tests: one user per role."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from drumbeat.accounts.models import Membership, Team
from drumbeat.server.sync import workspace_apply
from drumbeat.workspace import load_workspace, load_workspace_text

EXAMPLE = Path(__file__).parents[2] / "examples" / "okrs.yaml"
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


def _user(username: str, **fields: object) -> User:
    return User.objects.create_user(username, password=PASSWORD, **fields)  # type: ignore[arg-type]


@pytest.fixture
def users(db: None) -> dict[str, User]:
    """admin (staff), editor of `support`, viewer of `support`, outsider (no team)."""
    support, _ = Team.objects.get_or_create(key="support", defaults={"name": "Support"})
    people = {
        "admin": _user("admin", is_staff=True, is_superuser=True),
        "editor": _user("editor"),
        "owner": _user("owner"),
        "viewer": _user("viewer"),
        "outsider": _user("outsider"),
    }
    Membership.objects.create(user=people["editor"], team=support, role="editor")
    Membership.objects.create(user=people["viewer"], team=support, role="viewer")
    return people


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


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

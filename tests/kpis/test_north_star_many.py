"""More than one north star: the dictionary and the strategy map say so to
everyone, the dashboard to admins (who mark it), naming the lint rule."""

from __future__ import annotations

import pytest

from drumbeat.core.lint import north_stars_warning
from drumbeat.kpis.models import KPI
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

WARNING = (
    "2 KPIs are marked north star: csat, churn — keep one (lint kpi-north-star-many)"
)
ROLES = ["admin", "editor", "owner", "viewer", "outsider"]


@pytest.fixture
def two_north_stars(small_workspace):
    KPI.objects.filter(key="churn").update(north_star=True)


@pytest.mark.parametrize(
    ("keys", "warning"),
    [
        ([], None),
        (["nrr"], None),
        (
            ["nrr", "mrr"],
            "2 KPIs are marked north star: nrr, mrr — keep one "
            "(lint kpi-north-star-many)",
        ),
        (
            ["a", "b", "c"],
            "3 KPIs are marked north star: a, b, c — keep one "
            "(lint kpi-north-star-many)",
        ),
    ],
)
def test_the_warning_names_every_north_star(keys, warning):
    assert north_stars_warning(keys) == warning


def _warning(page: str) -> str | None:
    start = page.find("data-north-star-many>")
    if start < 0:
        return None
    rest = page[start + len("data-north-star-many>") :]
    return rest[: rest.index("</p>")].replace("&mdash;", "—")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", ["/kpis/", "/strategy-map/"])
def test_the_dictionary_and_the_map_warn_everyone(two_north_stars, users, role, url):
    page = client_for(users[role]).get(url).content.decode()
    assert _warning(page) == WARNING


@pytest.mark.parametrize(
    ("role", "warned"),
    [(role, role == "admin") for role in ROLES],
)
def test_the_dashboard_warns_admins(two_north_stars, users, role, warned):
    page = client_for(users[role]).get("/").content.decode()
    assert _warning(page) == (WARNING if warned else None)


@pytest.mark.parametrize("url", ["/", "/kpis/", "/strategy-map/"])
def test_one_north_star_is_no_warning(small_workspace, users, url):
    page = client_for(users["admin"]).get(url).content.decode()
    assert "data-north-star-many" not in page


def test_an_archived_north_star_does_not_count(two_north_stars, users):
    KPI.objects.filter(key="churn").update(archived_at="2026-11-01T00:00:00Z")
    page = client_for(users["admin"]).get("/kpis/").content.decode()
    assert "data-north-star-many" not in page

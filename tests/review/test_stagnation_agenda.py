"""A stagnating KPI on the KPI review agenda says "stagnating" in its "why", on the
page and in the API, as `drumbeat review` does; stagnation alone lists nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace_text
from tests.cli.test_cli_stagnation import STAGNATION_FILE
from tests.conftest import client_for, words


@pytest.fixture
def stagnating(db: None, users: dict[str, User]) -> None:
    """flat: amber and stagnating; rising: amber, moving."""
    workspace_apply(load_workspace_text(STAGNATION_FILE))


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer", "outsider"])
def test_the_agenda_page_says_a_kpi_is_stagnating(
    stagnating: None, users: dict[str, User], role: str
) -> None:
    page = words(client_for(users[role]).get(reverse("kpi-review")).content.decode())
    assert "Why: amber on its thresholds: latest reading 41; stagnating" in page
    assert "Why: amber on its thresholds: latest reading 47\n" in page


def test_the_api_agenda_says_a_kpi_is_stagnating(
    stagnating: None, users: dict[str, User]
) -> None:
    data = client_for(users["viewer"]).get("/api/v1/review/kpis").json()
    reasons = {item["kpi"]: item["reasons"] for item in data["items"]}
    assert reasons == {
        "flat": ["amber on its thresholds: latest reading 41", "stagnating"],
        "rising": ["amber on its thresholds: latest reading 47"],
    }

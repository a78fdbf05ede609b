"""KPI definitions from a CSV file carry owners by name or e-mail: matched to
accounts as every way in matches them; an unmatched name stays a plain name."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from drumbeat.imports.services import kpis_import_file
from drumbeat.kpis.models import KPI
from drumbeat.okrs.models import LintFinding

pytestmark = pytest.mark.django_db


def _imported(tmp_path: Path, owners: str) -> None:
    path = tmp_path / "kpis.csv"
    path.write_text("key,owner\n" + owners, encoding="utf-8")
    kpis_import_file(path=path, by=None)


def test_an_owner_email_in_a_csv_is_the_account(small_workspace, tmp_path):
    maya = User.objects.create(
        username="maya", first_name="Maya", last_name="Chen", email="maya@example.com"
    )
    _imported(tmp_path, "csat,MAYA@example.com\nchurn,Maya Chen\n")
    assert {(k.key, k.owner, k.owner_name) for k in KPI.objects.all()} == {
        ("csat", maya, "Maya Chen"),
        ("churn", maya, "Maya Chen"),
    }


def test_an_ambiguous_or_unknown_owner_in_a_csv_stays_a_name(small_workspace, tmp_path):
    User.objects.create(username="s1", first_name="Sam", last_name="Lee")
    User.objects.create(username="s2", first_name="Sam", last_name="Lee")
    _imported(tmp_path, "csat,Sam Lee\nchurn,Priya Raman\n")
    assert {(k.key, k.owner, k.owner_name) for k in KPI.objects.all()} == {
        ("csat", None, "Sam Lee"),
        ("churn", None, "Priya Raman"),
    }
    finding = LintFinding.objects.get(rule="owner-not-a-person", kpi_key="churn")
    assert "owner 'Priya Raman' is not a person with an account here" in (
        finding.message
    )

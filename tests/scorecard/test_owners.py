"""Owners are people: owner names from files are matched to accounts, the match
gives the person the owner's rights, and a name with no account is a finding."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from drumbeat.accounts.selectors import PersonIndex, person_match
from drumbeat.audit.models import Event
from drumbeat.kpis.models import KPI, Reading
from drumbeat.kpis.selectors import can_record_readings
from drumbeat.okrs.models import KeyResult, LintFinding, Objective
from drumbeat.scorecard.owners import owners_link
from drumbeat.scorecard.services import statuses_refresh
from drumbeat.scorecard.sync import workspace_apply, workspace_export
from drumbeat.workspace import load_workspace_text
from tests.conftest import SMALL, client_for

pytestmark = pytest.mark.django_db


def _person(username: str, first: str = "", last: str = "", email: str = "") -> User:
    return User.objects.create(
        username=username, first_name=first, last_name=last, email=email
    )


def _applied(text: str = SMALL) -> None:
    workspace_apply(load_workspace_text(text))


def test_an_email_matches_its_account_whatever_its_case(db):
    grace = _person("grace", email="Grace@Example.com")
    assert person_match("grace@example.COM") == grace


def test_a_full_name_matches_exactly(db):
    grace = _person("grace", "Grace", "Hopper")
    assert person_match("Grace Hopper") == grace
    assert person_match("grace hopper") is None
    assert person_match("Grace") is None


def test_a_name_several_people_have_matches_no_one(db):
    _person("sam1", "Sam", "Lee")
    _person("sam2", "Sam", "Lee")
    assert person_match("Sam Lee") is None


def test_an_email_several_people_have_matches_no_one(db):
    _person("a", email="team@example.com")
    _person("b", email="TEAM@example.com")
    assert person_match("team@example.com") is None


def test_usernames_match_only_when_asked(db):
    maya = _person("maya", "Maya", "Chen")
    assert person_match("maya") is None
    assert person_match("maya", usernames=True) == maya


def test_deactivated_people_match_no_one(db):
    User.objects.create(username="gone", first_name="Grace", is_active=False)
    assert PersonIndex().match("Grace") is None


def test_apply_links_a_kpi_owner_name_to_the_account_it_names(db):
    grace = _person("grace", "Grace")
    _applied()
    csat = KPI.objects.get(key="csat")
    assert csat.owner == grace
    assert Objective.objects.get(key="happier").owner == grace


def test_apply_by_email_makes_the_owner_name_the_display_name(db):
    grace = _person("grace", "Grace", "Hopper", email="grace@example.com")
    _applied(SMALL.replace("owner: Grace", "owner: GRACE@example.com"))
    csat = KPI.objects.get(key="csat")
    assert (csat.owner, csat.owner_name) == (grace, "Grace Hopper")


def test_the_matched_owner_of_a_file_kpi_records_its_readings(db):
    """The issue's complaint: a KPI loaded from YAML could be recorded by admins
    only."""
    grace = _person("grace", "Grace")
    _applied()
    assert can_record_readings(grace, KPI.objects.get(key="csat"))
    response = client_for(grace).post(
        "/kpis/csat/readings/", {"day": "2026-07-10", "value": "91"}
    )
    assert response.status_code == 302
    assert Reading.objects.filter(kpi__key="csat", value=91).exists()


def test_an_unmatched_owner_stays_a_name_and_lint_says_so(small_workspace):
    csat = KPI.objects.get(key="csat")
    assert (csat.owner, csat.owner_name) == (None, "Grace")
    finding = LintFinding.objects.get(rule="owner-not-a-person", kpi_key="csat")
    assert finding.message.startswith(
        "owner 'Grace' is not a person with an account here"
    )
    assert LintFinding.objects.filter(
        rule="owner-not-a-person", objective_key="happier", key_result_key=""
    ).exists()


def test_the_first_refresh_links_names_of_people_added_later(small_workspace):
    grace = _person("grace", "Grace")
    statuses_refresh()
    assert KPI.objects.get(key="csat").owner == grace
    assert not LintFinding.objects.filter(rule="owner-not-a-person").exists()
    assert Event.objects.filter(action="owner linked", subject="csat").exists()


def test_owners_link_leaves_ambiguous_names_alone(small_workspace):
    _person("g1", "Grace")
    _person("g2", "Grace")
    assert owners_link() == 0
    assert KeyResult.objects.filter(owner__isnull=False).count() == 0


def test_export_writes_the_owner_name_so_apply_round_trips(db):
    _person("grace", "Grace")
    _applied()
    exported = workspace_export()
    assert "owner: Grace" in exported
    assert workspace_apply(load_workspace_text(exported)).changed is False

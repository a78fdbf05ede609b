"""Parmenter's characteristics edited on the web and through the API: the KPI
form's fieldset, the page of critical success factors, their API, who may do
what, the messages that refuse, the audit log, and the export's round trip."""

from __future__ import annotations

import json
from html import unescape
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client

from drumbeat.audit.models import Event
from drumbeat.kpis.models import KPI, CriticalSuccessFactor
from drumbeat.kpis.selectors import critical_success_factors_used
from drumbeat.kpis.services.definitions import DEFINITION_FIELDS, kpi_update
from drumbeat.scorecard.sync import workspace_apply, workspace_export
from drumbeat.workspace import load_workspace_text
from tests.conftest import client_for, words
from tests.kpis.test_kpi_form_fields import _form
from tests.server.test_api import bearer, post

pytestmark = pytest.mark.django_db

ROLES = ["admin", "owner", "editor", "viewer", "outsider"]
FACTORS = "/critical-success-factors/"
API_FACTORS = "/api/v1/critical-success-factors"


@pytest.fixture
def owner(small_workspace: None, users: dict[str, User]) -> User:
    """churn is owned by `owner`; two critical success factors are defined."""
    KPI.objects.filter(key="churn").update(owner=users["owner"])
    CriticalSuccessFactor.objects.create(key="loyal", name="Loyal customers")
    CriticalSuccessFactor.objects.create(key="on-time", name="On time", position=1)
    return users["owner"]


def parmenter_form(**changes: str | list[str]) -> dict[str, str | list[str]]:
    values: dict[str, str | list[str]] = {
        "ceo_attention": "on",
        "corrective_action": "Call every customer who gives notice.",
        "critical_success_factors": ["loyal"],
        "dark_side": "Discounts given away to keep anyone.",
        "guardrail": "csat",
    }
    return _form(**{**values, **changes})


def patch(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


# --- The KPI form ------------------------------------------------------------------


def test_the_form_shows_the_fieldset_with_the_kpis_values(
    owner: User, users: dict[str, User]
) -> None:
    KPI.objects.filter(key="churn").update(
        ceo_attention=True,
        corrective_action="Call them.",
        critical_success_factors=["on-time"],
        dark_side="Discounts.",
        guardrail="csat",
    )
    page = client_for(users["owner"]).get("/kpis/churn/edit/").content.decode()
    fieldset = page[page.index('id="parmenter-fields"') : page.index("</fieldset>")]
    assert "<legend>Parmenter's seven characteristics</legend>" in fieldset
    assert 'id="id_ceo_attention" checked>' in fieldset
    assert "Call them.</textarea>" in fieldset
    assert "Discounts.</textarea>" in fieldset
    assert '<option value="on-time" selected>On time</option>' in fieldset
    assert '<option value="loyal">Loyal customers</option>' in fieldset
    assert '<option value="csat" selected>' in fieldset
    # Not its own guardrail: churn is not offered.
    assert '<option value="churn"' not in fieldset
    assert 'href="/critical-success-factors/"' in fieldset


def test_the_new_kpi_form_has_the_fieldset_too(
    owner: User, users: dict[str, User]
) -> None:
    page = client_for(users["admin"]).get("/kpis/new/").content.decode()
    assert 'id="parmenter-fields"' in page
    assert 'name="guardrail"' in page


def test_a_factor_named_while_none_was_defined_stays_on_save(
    small_workspace: None, users: dict[str, User]
) -> None:
    """A file may name factors while it defines none: the form keeps them."""
    KPI.objects.filter(key="churn").update(critical_success_factors=["loyal"])
    admin = client_for(users["admin"])
    page = admin.get("/kpis/churn/edit/").content.decode()
    assert '<option value="loyal" selected>loyal (not defined)</option>' in page
    response = admin.post(
        "/kpis/churn/edit/", _form(critical_success_factors=["loyal"])
    )
    assert response.status_code == 302
    assert KPI.objects.get(key="churn").critical_success_factors == ["loyal"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 302), ("owner", 302), ("editor", 403), ("viewer", 403)],
)
def test_who_may_save_the_characteristics(
    owner: User, users: dict[str, User], role: str, status: int
) -> None:
    response = client_for(users[role]).post("/kpis/churn/edit/", parmenter_form())
    assert response.status_code == status
    churn = KPI.objects.get(key="churn")
    assert churn.ceo_attention is (role == "admin")  # leadership's call
    assert churn.guardrail == ("csat" if status == 302 else "")


def test_saving_is_audited_and_in_the_definition_history(
    owner: User, users: dict[str, User]
) -> None:
    client_for(users["admin"]).post("/kpis/churn/edit/", parmenter_form())
    event = Event.objects.get(kind="definition", subject="churn", action="changed")
    assert event.actor == users["admin"]
    assert event.changes["ceo_attention"] == [False, True]
    assert event.changes["critical_success_factors"] == [[], ["loyal"]]
    assert event.changes["guardrail"] == ["", "csat"]
    page = words(client_for(users["viewer"]).get("/kpis/churn/").content.decode())
    history = page[page.index("Definition history") :]
    for field in ("ceo_attention", "corrective_action", "dark_side", "guardrail"):
        assert field in history


def test_a_guardrail_missing_from_the_dictionary_is_refused_beside_the_field(
    owner: User, users: dict[str, User]
) -> None:
    KPI.objects.filter(key="csat").delete()
    response = client_for(users["admin"]).post("/kpis/churn/edit/", parmenter_form())
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["guardrail"]
    assert KPI.objects.get(key="churn").ceo_attention is False


# --- The page of critical success factors ---------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_reads_the_factors_admins_manage_them(
    owner: User, users: dict[str, User], role: str
) -> None:
    KPI.objects.filter(key="csat").update(critical_success_factors=["loyal"])
    response = client_for(users[role]).get(FACTORS)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Loyal customers" in page
    assert "Customer satisfaction" in unescape(words(page))  # the KPI naming it
    assert '<div class="table-scroll factors-table" tabindex="0">' in page
    assert ("Add a critical success factor" in page) is (role == "admin")
    assert ('action="/critical-success-factors/loyal/delete/"' in page) is (
        role == "admin"
    )


def test_anonymous_visitors_are_sent_to_sign_in(small_workspace: None) -> None:
    assert Client().get(FACTORS).status_code == 302


@pytest.mark.parametrize("role", ["owner", "editor", "viewer", "outsider"])
def test_only_admins_add_rename_or_delete(
    owner: User, users: dict[str, User], role: str
) -> None:
    client = client_for(users[role])
    assert client.post(FACTORS, {"key": "x", "name": "X"}).status_code == 403
    renamed = client.post(f"{FACTORS}loyal/rename/", {"name": "Loyalty"})
    assert renamed.status_code == 403
    assert client.post(f"{FACTORS}on-time/delete/").status_code == 403
    assert list(CriticalSuccessFactor.objects.values_list("key", "name")) == [
        ("loyal", "Loyal customers"),
        ("on-time", "On time"),
    ]


def test_an_admin_adds_one_at_the_end_audited(
    owner: User, users: dict[str, User]
) -> None:
    response = client_for(users["admin"]).post(
        FACTORS, {"key": "cheap", "name": "Lowest cost to serve"}
    )
    assert response.status_code == 302
    assert list(CriticalSuccessFactor.objects.values_list("key", flat=True)) == [
        "loyal",
        "on-time",
        "cheap",
    ]
    event = Event.objects.get(subject="critical success factor cheap")
    assert (event.action, event.actor) == ("created", users["admin"])


@pytest.mark.parametrize(
    ("key", "field", "message"),
    [
        ("Bad Key", "key", "'Bad Key' cannot contain '/' or spaces"),
        ("loyal", "key", "'loyal' already exists: choose another key"),
    ],
)
def test_a_bad_key_is_refused_beside_the_field(
    owner: User, users: dict[str, User], key: str, field: str, message: str
) -> None:
    response = client_for(users["admin"]).post(FACTORS, {"key": key, "name": "X"})
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message]}
    assert CriticalSuccessFactor.objects.count() == 2


def test_an_admin_renames_one_audited(owner: User, users: dict[str, User]) -> None:
    response = client_for(users["admin"]).post(
        f"{FACTORS}loyal/rename/", {"name": "Customers come back"}
    )
    assert response.status_code == 302
    assert CriticalSuccessFactor.objects.get(key="loyal").name == "Customers come back"
    event = Event.objects.get(subject="critical success factor loyal")
    assert event.changes == {"name": ["Loyal customers", "Customers come back"]}


def test_an_empty_name_is_refused_naming_the_field(
    owner: User, users: dict[str, User]
) -> None:
    response = client_for(users["admin"]).post(f"{FACTORS}loyal/rename/", {"name": ""})
    assert response.status_code == 400
    assert response.context["refusal"] == "name: must not be empty"
    assert CriticalSuccessFactor.objects.get(key="loyal").name == "Loyal customers"


def test_a_factor_a_kpi_names_is_not_deleted_and_the_kpis_are_named(
    owner: User, users: dict[str, User]
) -> None:
    KPI.objects.filter(key__in=["csat", "churn"]).update(
        critical_success_factors=["loyal"]
    )
    response = client_for(users["admin"]).post(f"{FACTORS}loyal/delete/")
    assert response.status_code == 400
    assert response.context["refusal"] == (
        "'Loyal customers' is named by the KPIs csat, churn: take it off their "
        "definitions first, then delete it."
    )
    assert CriticalSuccessFactor.objects.filter(key="loyal").exists()


def test_a_factor_no_kpi_names_is_deleted_audited(
    owner: User, users: dict[str, User]
) -> None:
    response = client_for(users["admin"]).post(f"{FACTORS}on-time/delete/")
    assert response.status_code == 302
    assert not CriticalSuccessFactor.objects.filter(key="on-time").exists()
    assert Event.objects.get(subject="critical success factor on-time").action == (
        "deleted"
    )


def test_the_first_factor_is_refused_while_kpis_name_undefined_ones(
    small_workspace: None, users: dict[str, User]
) -> None:
    KPI.objects.filter(key="csat").update(critical_success_factors=["loyal"])
    response = client_for(users["admin"]).post(FACTORS, {"key": "cheap", "name": "C"})
    assert response.status_code == 400
    assert (
        "KPIs name critical success factors that are not defined ('loyal' by "
        in (response.context["form"].errors["key"][0])
    )
    assert not CriticalSuccessFactor.objects.exists()


def test_the_dictionary_and_a_key_kpis_checklist_link_to_the_factors(
    owner: User, users: dict[str, User]
) -> None:
    viewer = client_for(users["viewer"])
    for path in ("/kpis/", "/kpis/csat/"):
        assert 'href="/critical-success-factors/"' in viewer.get(path).content.decode()


@pytest.mark.parametrize("factors", [1, 30])
def test_the_list_costs_two_queries_whatever_its_size(
    small_workspace: None, django_assert_num_queries: Any, factors: int
) -> None:
    CriticalSuccessFactor.objects.bulk_create(
        CriticalSuccessFactor(key=f"f{n}", name=f"F {n}", position=n)
        for n in range(factors)
    )
    KPI.objects.update(critical_success_factors=["f0"])
    with django_assert_num_queries(2):
        used = critical_success_factors_used()
    assert len(used) == factors
    assert used[0].kpis == [("csat", "Customer satisfaction"), ("churn", "Logo churn")]


# --- The API -----------------------------------------------------------------------


def test_an_owner_patches_the_four_fields(owner: User, users: dict[str, User]) -> None:
    body = {
        "version": 1,
        "corrective_action": "Call them.",
        "critical_success_factors": ["loyal", "on-time"],
        "dark_side": "Discounts.",
        "guardrail": "csat",
    }
    answer = patch(bearer(users["owner"], "admin"), "/api/v1/kpis/churn", body)
    assert answer.status_code == 200
    got = bearer(users["viewer"]).get("/api/v1/kpis/churn").json()
    assert {name: got[name] for name in body if name != "version"} == {
        name: value for name, value in body.items() if name != "version"
    }
    event = Event.objects.get(kind="definition", subject="churn")
    assert event.changes["dark_side"] == ["", "Discounts."]


def test_null_clears_the_flag_and_the_factors(
    owner: User, users: dict[str, User]
) -> None:
    KPI.objects.filter(key="churn").update(
        ceo_attention=True, critical_success_factors=["loyal"]
    )
    body = {"version": 1, "ceo_attention": None, "critical_success_factors": None}
    answer = patch(bearer(users["admin"], "admin"), "/api/v1/kpis/churn", body)
    assert answer.status_code == 200
    assert (
        answer.json()["ceo_attention"],
        answer.json()["critical_success_factors"],
    ) == (
        False,
        [],
    )


@pytest.mark.parametrize("role", ["editor", "viewer", "outsider"])
def test_others_may_not_patch_the_fields(
    owner: User, users: dict[str, User], role: str
) -> None:
    body = {"version": 1, "ceo_attention": True}
    answer = patch(bearer(users[role], "admin"), "/api/v1/kpis/churn", body)
    assert answer.status_code == 403
    assert KPI.objects.get(key="churn").ceo_attention is False


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"critical_success_factors": ["loyal", "nope"]},
            "kpis[churn].critical_success_factors[1]",
            "refers to critical success factor 'nope', which is not defined",
        ),
        (
            {"guardrail": "nope"},
            "kpis[churn].guardrail",
            "refers to KPI 'nope', which is not defined",
        ),
        (
            {"guardrail": "churn"},
            "kpis[churn].guardrail",
            "a KPI cannot be its own guardrail",
        ),
    ],
)
def test_a_bad_patch_is_refused_naming_the_field(
    owner: User,
    users: dict[str, User],
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    body = {"version": 1, "ceo_attention": True, **change}
    answer = patch(bearer(users["admin"], "admin"), "/api/v1/kpis/churn", body)
    assert answer.status_code == 422
    (problem,) = answer.json()["error"]["problems"]
    assert problem["field"] == field
    assert problem["message"].startswith(message)
    assert KPI.objects.get(key="churn").ceo_attention is False  # all or nothing


def test_the_api_creates_a_kpi_naming_factors(
    owner: User, users: dict[str, User]
) -> None:
    body = {
        "key": "repeat",
        "name": "Repeat orders",
        "critical_success_factors": ["loyal"],
    }
    made = post(bearer(users["admin"], "admin"), "/api/v1/kpis", body)
    assert made.status_code == 201
    assert made.json()["critical_success_factors"] == ["loyal"]


def test_the_factors_api_lists_them_with_the_kpis_naming_them(
    owner: User, users: dict[str, User]
) -> None:
    KPI.objects.filter(key="csat").update(critical_success_factors=["loyal"])
    answer = bearer(users["viewer"]).get(API_FACTORS)
    assert answer.status_code == 200
    assert answer.json() == [
        {"key": "loyal", "name": "Loyal customers", "kpis": ["csat"]},
        {"key": "on-time", "name": "On time", "kpis": []},
    ]


def test_an_admin_adds_renames_and_deletes_through_the_api(
    owner: User, users: dict[str, User]
) -> None:
    admin = bearer(users["admin"], "admin")
    made = post(admin, API_FACTORS, {"key": "cheap", "name": "Cheap"})
    assert (made.status_code, made.json()) == (
        201,
        {"key": "cheap", "name": "Cheap", "kpis": []},
    )
    renamed = patch(admin, f"{API_FACTORS}/cheap", {"name": "Low cost"})
    assert renamed.json()["name"] == "Low cost"
    assert admin.delete(f"{API_FACTORS}/cheap").status_code == 204
    assert not CriticalSuccessFactor.objects.filter(key="cheap").exists()
    assert Event.objects.filter(subject="critical success factor cheap").count() == 3


@pytest.mark.parametrize("role", ["owner", "editor", "viewer"])
def test_the_factors_api_refuses_anyone_but_admins(
    owner: User, users: dict[str, User], role: str
) -> None:
    client = bearer(users[role], "admin")
    assert post(client, API_FACTORS, {"key": "x", "name": "X"}).status_code == 403
    assert patch(client, f"{API_FACTORS}/loyal", {"name": "Y"}).status_code == 403
    assert client.delete(f"{API_FACTORS}/loyal").status_code == 403
    assert CriticalSuccessFactor.objects.get(key="loyal").name == "Loyal customers"


def test_the_api_refuses_deleting_a_named_factor_naming_the_kpis(
    owner: User, users: dict[str, User]
) -> None:
    KPI.objects.filter(key="churn").update(critical_success_factors=["on-time"])
    answer = bearer(users["admin"], "admin").delete(f"{API_FACTORS}/on-time")
    assert answer.status_code == 422
    assert "named by the KPIs churn" in answer.json()["error"]["problems"][0]["message"]
    assert CriticalSuccessFactor.objects.filter(key="on-time").exists()


def test_the_api_refuses_a_bad_key_naming_the_field(
    owner: User, users: dict[str, User]
) -> None:
    answer = post(
        bearer(users["admin"], "admin"), API_FACTORS, {"key": "a b", "name": "X"}
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["problems"] == [
        {"field": "key", "message": "'a b' cannot contain '/' or spaces"}
    ]


# --- The export ------------------------------------------------------------------


def test_web_edited_values_come_out_in_the_export_and_apply_back(
    owner: User, users: dict[str, User]
) -> None:
    # An owner account with no owner's name is not in a file: none, for the test.
    KPI.objects.filter(key="churn").update(owner=None)
    client_for(users["admin"]).post(FACTORS, {"key": "cheap", "name": "Low cost"})
    client_for(users["admin"]).post(
        "/kpis/churn/edit/", parmenter_form(critical_success_factors=["cheap", "loyal"])
    )
    text = workspace_export()
    assert "{key: cheap, name: Low cost}" in text
    exported = load_workspace_text(text)
    churn = exported.kpi_by_key["churn"]
    assert churn.ceo_attention is True
    assert churn.critical_success_factors == ("cheap", "loyal")
    assert churn.corrective_action == "Call every customer who gives notice."
    assert (churn.dark_side, churn.guardrail) == (
        "Discounts given away to keep anyone.",
        "csat",
    )
    assert workspace_apply(exported).changed is False
    KPI.objects.filter(key="churn").update(
        ceo_attention=False, critical_success_factors=[], guardrail=""
    )
    assert workspace_apply(exported).changed is True
    churn_row = KPI.objects.get(key="churn")
    assert churn_row.critical_success_factors == ["cheap", "loyal"]
    assert (churn_row.ceo_attention, churn_row.guardrail) == (True, "csat")


# --- ceo_attention: leadership's call ---------------------------------------------


@pytest.mark.parametrize("attention", [True, False])
def test_an_admin_sets_and_clears_ceo_attention_in_the_api(
    owner: User, users: dict[str, User], attention: bool
) -> None:
    KPI.objects.filter(key="churn").update(ceo_attention=not attention)
    body = {"version": 1, "ceo_attention": attention}
    answer = patch(bearer(users["admin"], "admin"), "/api/v1/kpis/churn", body)
    assert answer.status_code == 200
    assert answer.json()["ceo_attention"] is attention
    event = Event.objects.get(kind="definition", subject="churn", action="changed")
    assert event.changes["ceo_attention"] == [not attention, attention]


@pytest.mark.parametrize("attention", [True, False])
def test_an_owner_may_not_set_or_clear_ceo_attention_in_the_api(
    owner: User, users: dict[str, User], attention: bool
) -> None:
    KPI.objects.filter(key="churn").update(ceo_attention=not attention)
    body = {"version": 1, "ceo_attention": attention, "dark_side": "Discounts."}
    answer = patch(bearer(users["owner"], "admin"), "/api/v1/kpis/churn", body)
    assert answer.status_code == 403
    assert answer.json()["error"]["message"].startswith(
        "ceo_attention: only an admin (leadership) sets or clears"
    )
    churn = KPI.objects.get(key="churn")
    assert (churn.ceo_attention, churn.dark_side) == (not attention, "")  # nothing
    assert not Event.objects.filter(kind="definition", subject="churn").exists()


def test_an_owner_patching_other_fields_keeps_ceo_attention(
    owner: User, users: dict[str, User]
) -> None:
    KPI.objects.filter(key="churn").update(ceo_attention=True)
    body = {"version": 1, "ceo_attention": True, "dark_side": "Discounts."}
    answer = patch(bearer(users["owner"], "admin"), "/api/v1/kpis/churn", body)
    assert answer.status_code == 200
    assert (answer.json()["ceo_attention"], answer.json()["dark_side"]) == (
        True,
        "Discounts.",
    )


@pytest.mark.parametrize(("role", "disabled"), [("admin", False), ("owner", True)])
def test_the_form_shows_ceo_attention_read_only_to_anyone_but_an_admin(
    owner: User, users: dict[str, User], role: str, disabled: bool
) -> None:
    page = client_for(users[role]).get("/kpis/churn/edit/").content.decode()
    at = page.index('id="id_ceo_attention"')
    box = page[page.rindex("<input", 0, at) : page.index(">", at) + 1]
    assert ("disabled" in box) is disabled
    assert ("only an admin sets or clears it" in words(page)) is disabled


def test_an_owner_posting_the_form_keeps_ceo_attention_as_it_was(
    owner: User, users: dict[str, User]
) -> None:
    KPI.objects.filter(key="churn").update(ceo_attention=True)
    response = client_for(users["owner"]).post(
        "/kpis/churn/edit/", parmenter_form(ceo_attention="")
    )
    assert response.status_code == 302
    churn = KPI.objects.get(key="churn")
    assert (churn.ceo_attention, churn.guardrail) == (True, "csat")


def test_the_service_refuses_a_non_admin_changing_ceo_attention(
    owner: User, users: dict[str, User]
) -> None:
    churn = KPI.objects.get(key="churn")
    values = {name: getattr(churn, name) for name in DEFINITION_FIELDS}
    with pytest.raises(PermissionDenied, match=r"^ceo_attention: only an admin"):
        kpi_update(
            kpi=churn,
            values={**values, "ceo_attention": True},
            thresholds=churn.thresholds,
            by=users["owner"],
            version=churn.version,
        )
    assert KPI.objects.get(key="churn").ceo_attention is False

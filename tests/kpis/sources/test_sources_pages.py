"""A KPI's data source in the definition and on the pages: only admins set an SQL
source, the owner sees it read-only, the query is versioned, and a failing pull
shows on the KPI page, its tile and its dictionary row at a constant cost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from drumbeat.kpis.models import KPI, SourceState
from drumbeat.kpis.services.definitions import (
    SQL_SOURCE_ADMINS_ONLY,
    kpi_create,
    kpi_source_update,
)
from drumbeat.okrs.models import LintFinding
from drumbeat.scorecard.sync import workspace_apply, workspace_export
from drumbeat.workspace import WorkspaceError, load_workspace_text
from tests.conftest import SMALL, client_for, words

pytestmark = pytest.mark.django_db

SOURCE = "/kpis/csat/source/"
QUERY = "select week_ending, open_tickets from backlog"
SQL = {"type": "sql", "connection": "warehouse", "query": QUERY}
FAILED_AT = dt.datetime(2026, 11, 20, 10, 4, tzinfo=dt.UTC)
FAILURE = (
    "no connection 'warehouse': set DRUMBEAT_SOURCE_WAREHOUSE_URL or add it to the "
    "secrets file (DRUMBEAT_SECRETS_FILE)"
)


@pytest.fixture
def owned(small_workspace: None, users: dict[str, User]) -> KPI:
    KPI.objects.filter(key="csat").update(owner=users["owner"])
    return KPI.objects.get(key="csat")


@pytest.fixture
def pulled(owned: KPI) -> KPI:
    """csat pulled from the warehouse, failing since 2026-11-20 10:04 UTC."""
    KPI.objects.filter(pk=owned.pk).update(source=SQL)
    SourceState.objects.create(
        kpi=owned,
        last_run_at=FAILED_AT,
        failing_since=FAILED_AT,
        last_error=FAILURE,
        consecutive_failures=1,
    )
    return KPI.objects.get(pk=owned.pk)


def _form(**changes: str) -> dict[str, str]:
    form = {"type": "sql", "connection": "warehouse", "query": QUERY, "schedule": ""}
    form.update(version="1", **changes)
    return form


# --- Who sets a source: the service --------------------------------------------


def test_an_admin_sets_an_sql_source_kept_in_the_definition_history(owned, users):
    kpi_source_update(
        kpi=owned, source={**SQL, "schedule": "0 6 * * 1"}, by=users["admin"], version=1
    )
    kpi = KPI.objects.get(pk=owned.pk)
    assert kpi.source == {**SQL, "schedule": "0 6 * * 1"}
    assert (kpi.version, kpi.updated_by) == (2, users["admin"])
    latest = kpi.history.order_by("-history_date").first()
    assert latest is not None
    assert latest.history_user == users["admin"]


@pytest.mark.parametrize("role", ["owner", "editor", "viewer", "outsider"])
def test_no_one_but_an_admin_sets_an_sql_source_in_the_service(owned, users, role):
    with pytest.raises(PermissionDenied):
        kpi_source_update(kpi=owned, source=SQL, by=users[role], version=1)
    assert KPI.objects.get(pk=owned.pk).source == {}


def test_the_owner_may_not_change_or_remove_an_sql_source(pulled, users):
    with pytest.raises(PermissionDenied) as caught:
        kpi_source_update(
            kpi=pulled, source={"type": "manual"}, by=users["owner"], version=1
        )
    assert str(caught.value) == SQL_SOURCE_ADMINS_ONLY
    assert KPI.objects.get(pk=pulled.pk).source == SQL


def test_the_owner_may_change_a_source_that_is_not_sql(owned, users):
    kpi_source_update(kpi=owned, source={"type": "csv"}, by=users["owner"], version=1)
    assert KPI.objects.get(pk=owned.pk).source == {"type": "csv"}


def test_only_an_admin_creates_a_kpi_with_an_sql_source(owned, users):
    values = {"key": "backlog", "name": "Support backlog", "source": SQL}
    with pytest.raises(PermissionDenied) as caught:
        kpi_create(values=values, by=users["owner"])
    assert str(caught.value) == SQL_SOURCE_ADMINS_ONLY
    assert not KPI.objects.filter(key="backlog").exists()
    assert kpi_create(values=values, by=users["admin"]).source == SQL


@pytest.mark.parametrize(
    ("source", "field", "message"),
    [
        (
            {"type": "sql", "connection": "warehouse"},
            "source",
            "an sql source needs a `connection` and a `query`",
        ),
        (
            {**SQL, "schedule": "every monday"},
            "source.schedule",
            "'every monday' is not a cron schedule: give five fields, minute hour "
            "day month weekday, such as '0 6 * * 1' (06:00 every Monday)",
        ),
        (
            {**SQL, "connection": "ware house"},
            "source.connection",
            "'ware house' is not a connection name: use letters, digits, - and _ (it "
            "names DRUMBEAT_SOURCE_<NAME>_URL)",
        ),
        (
            {"type": "manual", "schedule": "0 6 * * *"},
            "source.schedule",
            "a pull `schedule` is for `type: sql`",
        ),
    ],
)
def test_a_bad_source_is_refused_with_the_field_and_why(
    owned, users, source, field, message
):
    with pytest.raises(WorkspaceError) as caught:
        kpi_source_update(kpi=owned, source=source, by=users["admin"], version=1)
    assert [(p.field, p.message) for p in caught.value.problems] == [
        (f"kpis[csat].{field}", message)
    ]
    assert KPI.objects.get(pk=owned.pk).source == {}


def test_leaving_sql_forgets_the_pull_state(pulled, users):
    kpi_source_update(
        kpi=pulled, source={"type": "manual"}, by=users["admin"], version=1
    )
    assert not SourceState.objects.filter(kpi=pulled).exists()


def test_two_kpis_with_the_same_query_are_a_lint_duplicate(owned, users):
    KPI.objects.filter(key="churn").update(source=SQL)
    kpi_source_update(kpi=owned, source=SQL, by=users["admin"], version=1)
    finding = LintFinding.objects.get(rule="kpi-duplicate")
    assert (finding.kpi_key, finding.message) == (
        "churn",
        "has the same source query as 'csat': two KPIs for one measure split its "
        "history and its owners; merge them or tell them apart",
    )


# --- Who sets a source: the pages -----------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 302),
        ("owner", 400),
        ("editor", 403),
        ("viewer", 403),
        ("outsider", 403),
    ],
)
def test_only_an_admin_sets_an_sql_source_on_the_page(owned, users, role, status):
    response = client_for(users[role]).post(SOURCE, _form())
    assert response.status_code == status
    assert KPI.objects.get(pk=owned.pk).source == (SQL if role == "admin" else {})
    if role == "owner":  # sql is not among the owner's choices
        assert "Select a valid choice. sql is not one of the available choices." in (
            response.content.decode()
        )


def test_anonymous_visitors_are_sent_to_sign_in(owned):
    response = client_for(None).post(SOURCE, _form())
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 302),
        ("owner", 403),
        ("editor", 403),
        ("viewer", 403),
        ("outsider", 403),
    ],
)
def test_only_an_admin_changes_an_sql_source_on_the_page(pulled, users, role, status):
    form = _form(type="manual", connection="", query="")
    response = client_for(users[role]).post(SOURCE, form)
    assert response.status_code == status
    assert KPI.objects.get(pk=pulled.pk).source == (
        {"type": "manual"} if role == "admin" else SQL
    )


def test_the_owner_changes_a_source_that_is_not_sql_on_the_page(owned, users):
    response = client_for(users["owner"]).post(
        SOURCE, _form(type="push", connection="", query="")
    )
    assert response.status_code == 302
    assert KPI.objects.get(pk=owned.pk).source == {"type": "push"}


def test_a_bad_schedule_is_refused_beside_its_field(owned, users):
    response = client_for(users["admin"]).post(SOURCE, _form(schedule="0 25 * * *"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "&#x27;0 25 * * *&#x27; is not a cron schedule" in page
    assert 'value="0 25 * * *"' in page  # what was typed is kept
    assert KPI.objects.get(pk=owned.pk).source == {}


def test_a_stale_source_form_is_refused(owned, users):
    client_for(users["admin"]).post(SOURCE, _form())  # version 1 → 2
    response = client_for(users["admin"]).post(SOURCE, _form(query="select 1"))
    assert response.status_code == 400
    assert "since you opened it" in response.content.decode()
    assert KPI.objects.get(pk=owned.pk).source == SQL


@pytest.mark.parametrize(
    ("role", "status", "form"),
    [
        ("admin", 200, True),
        ("owner", 200, False),
        ("editor", 403, False),
        ("viewer", 403, False),
        ("outsider", 403, False),
    ],
)
def test_the_edit_page_offers_the_sql_source_form_to_admins_only(
    pulled, users, role, status, form
):
    response = client_for(users[role]).get("/kpis/csat/edit/")
    assert response.status_code == status
    assert ('action="/kpis/csat/source/"' in response.content.decode()) is form


def test_an_admin_edits_the_source_in_a_form(pulled, users):
    page = client_for(users["admin"]).get("/kpis/csat/edit/").content.decode()
    source = page[page.index('<section id="source">') :]
    assert 'action="/kpis/csat/source/"' in source
    assert '<option value="sql" selected>' in source
    assert QUERY in source


def test_the_owner_sees_an_sql_source_read_only(pulled, users):
    page = client_for(users["owner"]).get("/kpis/csat/edit/").content.decode()
    source = page[page.index('<section id="source">') :]
    assert 'action="/kpis/csat/source/"' not in source
    assert "<code>warehouse</code>" in source
    assert QUERY in source
    assert "Only an admin changes an SQL source" in source


def test_the_owner_gets_a_source_form_without_sql_for_other_sources(owned, users):
    page = client_for(users["owner"]).get("/kpis/csat/edit/").content.decode()
    source = page[page.index('<section id="source">') :]
    assert 'action="/kpis/csat/source/"' in source
    assert 'value="sql"' not in source


# --- What the pages show -------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer", "outsider"])
def test_the_kpi_page_shows_the_connection_name_and_the_query(pulled, users, role):
    page = client_for(users[role]).get("/kpis/csat/").content.decode()
    source = page[page.index("<h2>Data source</h2>") :]
    assert "SQL on the connection <code>warehouse</code>" in source
    assert f"<pre><code>{QUERY}</code></pre>" in source
    assert "DRUMBEAT_SOURCE_WAREHOUSE_URL" in source  # the message names the variable


def test_the_kpi_page_says_the_source_is_failing_since_when_and_why(pulled, users):
    page = client_for(users["viewer"]).get("/kpis/csat/").content.decode()
    head = page[: page.index("<h2>Data source</h2>")]
    assert '<span class="badge failing">source failing</span>' in head
    assert (
        "source failing since 2026-11-20 10:04 UTC: no connection &#x27;warehouse&#x27;"
    ) in words(head)


def test_a_tile_says_the_source_is_failing_beside_the_stale_flag(pulled, users):
    page = client_for(users["viewer"]).get("/").content.decode()
    tile = page[page.index('data-kpi="csat"') :]
    tile = tile[: tile.index("</article>")]
    assert '<span class="badge failing">source failing</span>' in tile
    assert "source failing since 2026-11-20 10:04 UTC: no connection" in words(tile)


def test_a_dictionary_row_says_the_source_is_failing(pulled, users):
    page = client_for(users["viewer"]).get("/kpis/").content.decode()
    row = page[page.index('<tr data-kpi="csat"') :]
    row = row[: row.index("</tr>")]
    assert '<span class="badge failing">source failing</span>' in row
    assert "source failing since 2026-11-20 10:04 UTC: no connection" in words(row)


def test_a_source_that_pulls_well_shows_no_failure(pulled, users):
    SourceState.objects.filter(kpi=pulled).update(
        failing_since=None, last_error="", last_ok_at=FAILED_AT
    )
    for url in ("/", "/kpis/", "/kpis/csat/"):
        page = client_for(users["viewer"]).get(url).content.decode()
        assert "source failing" not in page


def test_a_failure_left_from_an_earlier_sql_source_is_not_shown(pulled, users):
    KPI.objects.filter(pk=pulled.pk).update(source={"type": "manual"})
    page = client_for(users["viewer"]).get("/").content.decode()
    assert "source failing" not in page


def test_the_definition_history_lists_a_changed_source(pulled, users):
    kpi_source_update(
        kpi=pulled, source={**SQL, "query": "select 1"}, by=users["admin"], version=1
    )
    page = client_for(users["viewer"]).get("/kpis/csat/").content.decode()
    history = page[page.index("Definition history") : page.index(">Readings</h2>")]
    assert "source</td>" in history


def _kpis(count: int, failing: bool) -> None:
    """SMALL with `count` more KPIs, each pulled and (when `failing`) failing."""
    extra = "".join(
        f"  - key: pulled-{n}\n    name: Pulled {n}\n    perspective: internal\n"
        f"    source: {{type: sql, connection: warehouse, query: select {n}}}\n"
        for n in range(count)
    )
    workspace_apply(
        load_workspace_text(SMALL.replace("cycles:\n", extra + "cycles:\n"))
    )
    for kpi in KPI.objects.filter(key__startswith="pulled-"):
        SourceState.objects.get_or_create(
            kpi=kpi,
            defaults={
                "failing_since": FAILED_AT if failing else None,
                "last_error": FAILURE if failing else "",
            },
        )


@pytest.mark.parametrize("url", ["/", "/kpis/"])
def test_pages_run_the_same_queries_however_many_sources_fail(users, url):
    client = client_for(users["viewer"])
    counts = []
    for count in (1, 30):
        _kpis(count, failing=True)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        assert page.count('<span class="badge failing">') == count
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- The workspace file ----------------------------------------------------------


def test_a_schedule_round_trips_through_apply_and_export(db):
    text = SMALL.replace(
        "    tier: key\n",
        "    tier: key\n    source: {type: sql, connection: warehouse, query: "
        "select 1, schedule: 0 6 * * 1}\n",
        1,
    )
    workspace_apply(load_workspace_text(text))
    assert KPI.objects.get(key="csat").source["schedule"] == "0 6 * * 1"
    exported = workspace_export()
    assert "schedule: 0 6 * * 1" in exported
    assert workspace_apply(load_workspace_text(exported)).changed is False


def test_a_bad_cron_schedule_in_a_file_names_the_line_and_field():
    text = SMALL.replace(
        "    tier: key\n",
        "    tier: key\n    source: {type: sql, connection: warehouse, query: "
        "select 1, schedule: 0 6 * *}\n",
        1,
    )
    with pytest.raises(WorkspaceError) as caught:
        load_workspace_text(text)
    assert caught.value.lines == [
        "<workspace>:16: kpis[csat].source.schedule: '0 6 * *' is not a cron schedule: "
        "give five fields, minute hour day month weekday, such as '0 6 * * 1' "
        "(06:00 every Monday)"
    ]


# --- Pulling now -----------------------------------------------------------------

PULL = "/kpis/csat/pull/"


def _queued_pulls() -> list[dict[str, object]]:
    return [
        task.args_kwargs["kwargs"]
        for task in DBTaskResult.objects.filter(task_path__endswith="source_pull_task")
    ]


@pytest.mark.parametrize("role", ["admin", "owner"])
def test_the_owner_or_an_admin_queues_a_pull_now(pulled, users, role):
    response = client_for(users[role]).post(PULL, follow=True)
    assert response.redirect_chain == [("/kpis/csat/", 302)]
    assert "Pull queued: the worker runs it within seconds" in response.content.decode()
    [pull] = _queued_pulls()
    state = SourceState.objects.get(kpi=pulled)
    assert pull == {"kpi_key": "csat", "claim": state.queued_token}
    assert state.queued_at is not None
    assert "A pull is queued since" in response.content.decode()


@pytest.mark.parametrize("role", ["editor", "viewer", "outsider"])
def test_no_one_else_pulls_now(pulled, users, role):
    response = client_for(users[role]).post(PULL)
    assert response.status_code == 403
    assert _queued_pulls() == []
    assert SourceState.objects.get(kpi=pulled).queued_at is None


def test_a_visitor_is_sent_to_sign_in_to_pull(pulled):
    response = client_for(None).post(PULL)
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/kpis/csat/pull/"
    assert _queued_pulls() == []


def test_a_pull_already_queued_is_not_queued_twice(pulled, users):
    owner = client_for(users["owner"])
    owner.post(PULL)
    again = owner.post(PULL, follow=True).content.decode()
    assert "A pull of this KPI is already queued or running." in again
    assert len(_queued_pulls()) == 1


def test_a_kpi_that_is_not_pulled_says_so(owned, users):
    response = client_for(users["admin"]).post(PULL, follow=True)
    assert (
        "KPI &#x27;csat&#x27; is not pulled: its source is manual (only sql sources "
        "are pulled)"
    ) in response.content.decode()
    assert _queued_pulls() == []


def test_pulling_now_is_a_post(pulled, users):
    assert client_for(users["admin"]).get(PULL).status_code == 405


@pytest.mark.parametrize(
    ("role", "shown"), [("admin", True), ("owner", True), ("viewer", False)]
)
def test_the_pull_now_button_shows_to_those_who_may_pull(pulled, users, role, shown):
    page = client_for(users[role]).get("/kpis/csat/").content.decode()
    assert ("data-pull-now" in page) is shown


def test_a_queued_pull_runs_and_is_recorded_on_the_kpi(pulled, users, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    client_for(users["owner"]).post(PULL)
    state = SourceState.objects.get(kpi=pulled)
    # The worker ran it (it fails: no connection) and released the claim.
    assert (state.consecutive_failures, state.queued_at) == (2, None)
    assert state.last_error == FAILURE

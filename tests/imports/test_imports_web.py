"""The import pages: owners and admins upload a readings file, preview it, map
its columns and import it in the background, following its progress; nobody
imports readings of a KPI they may not record."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from drumbeat.imports import services
from drumbeat.imports.models import ImportRun
from drumbeat.imports.readers import files
from drumbeat.imports.services import import_uploads_expire
from drumbeat.imports.tasks import import_preview_task, readings_import_task
from drumbeat.kpis.models import KPI, Reading
from tests.conftest import client_for, make_user
from tests.imports.workbooks import write_bomb

pytestmark = pytest.mark.django_db

IMMEDIATE = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}
LONG = "kpi,at,value,note\ncsat,2026-07-10,91,survey\ncsat,2026-07-17,92,\n"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    return tmp_path / "data" / "imports"


@pytest.fixture
def immediate(settings) -> None:
    settings.TASKS = IMMEDIATE


@pytest.fixture
def owned(small_workspace, users, password_hash) -> dict[str, User]:
    """csat is owner's; churn is owner2's."""
    owner2 = make_user(password_hash, "owner2")
    KPI.objects.filter(key="csat").update(owner=users["owner"])
    KPI.objects.filter(key="churn").update(owner=owner2)
    return {**users, "owner2": owner2}


def _upload(
    client: Client, text: str = LONG, name: str = "readings.csv", **fields: str
):
    upload = SimpleUploadedFile(name, text.encode())
    return client.post("/imports/readings/", {"file": upload, **fields})


def _run_of(response) -> ImportRun:
    assert response.status_code == 302, response.content.decode()[:2000]
    pk = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    return ImportRun.objects.get(pk=pk)


def _current(kpi: str) -> list[tuple[str, float]]:
    rows = Reading.objects.filter(kpi__key=kpi, superseded_at__isnull=True)
    return [(r.at, r.value) for r in rows.order_by("day", "at")]


# --- Who may do what -----------------------------------------------------------------

ROLES = [
    ("admin", 200),
    ("owner", 200),
    ("editor", 403),
    ("viewer", 403),
    ("outsider", 403),
]


@pytest.mark.parametrize(("role", "status"), ROLES)
def test_the_import_page_is_for_owners_and_admins(owned, role, status):
    response = client_for(owned[role]).get("/imports/readings/")
    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), ROLES)
def test_uploading_is_for_owners_and_admins(owned, role, status):
    response = _upload(client_for(owned[role]))
    assert response.status_code == (302 if status == 200 else 403)
    assert ImportRun.objects.exists() is (status == 200)


def test_an_owner_whose_kpis_were_given_away_is_refused(owned):
    KPI.objects.filter(owner=owned["owner"]).update(owner=None)
    assert client_for(owned["owner"]).get("/imports/readings/").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/imports/readings/",
        "/imports/readings/{pk}/",
        "/imports/readings/{pk}/progress/",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(owned, path):
    run = _run_of(_upload(client_for(owned["owner"])))
    response = client_for(None).get(path.format(pk=run.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


@pytest.mark.parametrize(
    ("role", "status"),
    [*ROLES, ("owner2", 404)],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/imports/readings/{pk}/"),
        ("get", "/imports/readings/{pk}/progress/"),
        ("post", "/imports/readings/{pk}/layout/"),
        ("post", "/imports/readings/{pk}/start/"),
    ],
)
def test_an_import_is_seen_by_its_uploader_and_admins_only(
    owned, immediate, role, status, method, path
):
    """Another owner does not learn that someone else's import exists."""
    run = _run_of(_upload(client_for(owned["owner"])))
    client = client_for(owned[role])
    data = {"header_row": "1", "format": "long", "at": "1", "kpi": "0", "value": "2"}
    url = path.format(pk=run.pk)
    response = client.get(url) if method == "get" else client.post(url, data)
    expected = status if status != 200 else (302 if url.endswith("start/") else 200)
    assert response.status_code == expected
    run.refresh_from_db()
    started = url.endswith("start/") and status == 200
    assert run.status == ("done" if started else "uploaded")


def test_anonymous_visitors_cannot_start_an_import(owned, immediate):
    run = _run_of(_upload(client_for(owned["owner"])))
    response = client_for(None).post(f"/imports/readings/{run.pk}/start/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == "uploaded"


def test_the_navigation_shows_import_to_owners_and_admins_only(owned):
    link = '<a href="/imports/readings/">Import</a>'
    for role in ("admin", "owner"):
        assert link in client_for(owned[role]).get("/").content.decode()
    for role in ("editor", "viewer", "outsider"):
        assert link not in client_for(owned[role]).get("/").content.decode()


# --- Upload, preview, import --------------------------------------------------------


def test_an_upload_is_kept_under_a_random_name_and_previewed(owned, data_dir):
    run = _run_of(_upload(client_for(owned["owner"])))
    assert run.file_name == "readings.csv"
    assert run.stored_name != "readings.csv"
    assert (data_dir / run.stored_name).read_text() == LONG
    assert (run.layout["format"], run.layout["kpi"], run.layout["value"]) == (
        "long",
        0,
        2,
    )
    page = client_for(owned["owner"]).get(f"/imports/readings/{run.pk}/")
    text = page.content.decode()
    assert "Read as <strong>long</strong> from the header on row 1" in text
    assert '<td>csat</td><td>2026-07-10</td><td class="num">91.0</td>' in text
    assert ">Import</button>" in text
    assert not Reading.objects.filter(at="2026-07-10").exists()


def test_importing_records_the_readings_as_the_uploader(owned, immediate, data_dir):
    client = client_for(owned["owner"])
    run = _run_of(_upload(client))
    response = client.post(f"/imports/readings/{run.pk}/start/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.created, run.corrected, run.unchanged) == (
        "done",
        2,
        0,
        0,
    )
    reading = Reading.objects.get(kpi__key="csat", at="2026-07-10")
    assert (reading.source, reading.source_detail, reading.recorded_by) == (
        "import",
        "readings.csv",
        owned["owner"],
    )
    assert reading.note == "survey"
    assert list(data_dir.iterdir()) == []  # the file is deleted once imported
    progress = client.get(f"/imports/readings/{run.pk}/progress/").content.decode()
    assert '<progress value="100" max="100">' in progress
    assert "2 readings: 2 new, 0 corrected, 0 unchanged." in progress
    assert "every 1s" not in progress  # no more polling


def test_the_same_file_again_changes_nothing(owned, immediate):
    client = client_for(owned["owner"])
    first = _run_of(_upload(client))
    client.post(f"/imports/readings/{first.pk}/start/")
    count = Reading.objects.count()
    second = _run_of(_upload(client))
    client.post(f"/imports/readings/{second.pk}/start/")
    second.refresh_from_db()
    assert (second.created, second.corrected, second.unchanged) == (0, 0, 2)
    assert Reading.objects.count() == count


def test_a_changed_value_is_imported_as_a_correction(owned, immediate):
    client = client_for(owned["owner"])
    first = _run_of(_upload(client))
    client.post(f"/imports/readings/{first.pk}/start/")
    second = _run_of(_upload(client, LONG.replace(",92,", ",93,")))
    client.post(f"/imports/readings/{second.pk}/start/")
    second.refresh_from_db()
    assert (second.created, second.corrected, second.unchanged) == (0, 1, 1)
    assert _current("csat")[-1] == ("2026-07-17", 93.0)
    assert Reading.objects.filter(kpi__key="csat", at="2026-07-17").count() == 2


def test_a_file_with_a_kpi_the_owner_may_not_record_is_refused_whole(owned, immediate):
    count = Reading.objects.count()
    client = client_for(owned["owner"])
    run = _run_of(_upload(client, LONG + "churn,2026-07-31,1.8,\n"))
    client.post(f"/imports/readings/{run.pk}/start/")
    run.refresh_from_db()
    assert run.status == "refused"
    assert run.problems == [
        {
            "row": 4,
            "column": "A",
            "field": "kpi",
            "message": "you may not record readings of 'churn' (only its owner and "
            "admins may): remove its rows from the file",
        }
    ]
    assert Reading.objects.count() == count
    page = client.get(f"/imports/readings/{run.pk}/").content.decode()
    assert "Refused: nothing was written" in page
    assert "you may not record readings of &#x27;churn&#x27;" in page


def test_an_admin_imports_readings_of_any_kpi(owned, immediate):
    client = client_for(owned["admin"])
    run = _run_of(_upload(client, LONG + "churn,2026-07-31,1.8,\n"))
    client.post(f"/imports/readings/{run.pk}/start/")
    run.refresh_from_db()
    assert (run.status, run.created) == ("done", 3)
    assert (
        Reading.objects.get(kpi__key="churn", at="2026-07-31").recorded_by
        == (owned["admin"])
    )


def test_a_bad_file_lists_its_problems_and_writes_nothing(owned, immediate):
    count = Reading.objects.count()
    client = client_for(owned["owner"])
    run = _run_of(_upload(client, "kpi,at,value\ncsat,10/07/2026,91\ncsat,,x\n"))
    client.post(f"/imports/readings/{run.pk}/start/")
    run.refresh_from_db()
    assert run.status == "refused"
    assert [(p["row"], p["column"], p["field"]) for p in run.problems] == [
        (2, "B", "at"),
        (3, "B", "at"),
        (3, "C", "value"),
    ]
    assert Reading.objects.count() == count
    page = client.get(f"/imports/readings/{run.pk}/").content.decode()
    assert "The file has 3 problems." in page
    assert "&#x27;x&#x27; is not a number" in page


def test_a_file_too_large_is_refused_with_the_limit(owned, settings, data_dir):
    settings.DRUMBEAT_IMPORT_MAX_BYTES = 1024 * 1024
    response = _upload(client_for(owned["owner"]), "x" * (1024 * 1024 * 3 // 2))
    assert response.status_code == 400
    assert (
        "&#x27;readings.csv&#x27; is 1.5 MB; the limit is 1.0 MB: split the file, or "
        "import it with `drumbeat import readings` on the server"
    ) in response.content.decode()
    assert not ImportRun.objects.exists()
    assert not data_dir.exists() or list(data_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "readings.json",
            "&#x27;readings.json&#x27; is not a CSV or XLSX file: save the sheet as "
            "CSV UTF-8 (.csv) or as an Excel Workbook (.xlsx)",
        ),
        ("empty.csv", "The file is empty: choose the file with your readings."),
    ],
)
def test_a_file_that_is_not_readings_is_refused_on_upload(owned, name, message):
    text = "" if name == "empty.csv" else LONG
    response = _upload(client_for(owned["owner"]), text, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_workbook_that_is_not_one_is_refused_with_why(owned, data_dir):
    run = _run_of(_upload(client_for(owned["owner"]), LONG, "readings.xlsx"))
    assert (run.status, run.layout) == ("refused", {})
    assert list(data_dir.iterdir()) == []
    page = client_for(owned["owner"]).get(f"/imports/readings/{run.pk}/")
    assert "Refused: nothing was written" in page.content.decode()
    assert "this is not an XLSX workbook" in page.content.decode()
    assert ">Import</button>" not in page.content.decode()


# --- Column mapping ------------------------------------------------------------------


def test_columns_the_header_does_not_name_are_mapped_by_hand(owned, immediate):
    client = client_for(owned["owner"])
    run = _run_of(_upload(client, "metric,on,figure\ncsat,2026-07-10,91\n"))
    assert run.layout == {}
    page = client.get(f"/imports/readings/{run.pk}/").content.decode()
    assert "no header: this row (metric, on, figure) names no date column" in page
    assert ">Import</button>" not in page
    response = client.post(
        f"/imports/readings/{run.pk}/layout/",
        {"header_row": "1", "format": "long", "at": "1", "kpi": "0", "value": "2"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.startswith('\n<section id="preview">')
    assert "<td>csat</td><td>2026-07-10</td>" in fragment
    client.post(f"/imports/readings/{run.pk}/start/")
    assert _current("csat")[-1] == ("2026-07-10", 91.0)


def test_a_mapping_that_cannot_work_says_why(owned):
    client = client_for(owned["owner"])
    run = _run_of(_upload(client))
    response = client.post(
        f"/imports/readings/{run.pk}/layout/",
        {"header_row": "1", "format": "long", "at": "1", "value": "1"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "each column can only be used for one thing" in text
    assert "choose either the column of KPI keys or the one KPI of the file" in text
    run.refresh_from_db()
    assert run.layout["value"] == 2  # unchanged


def test_a_file_of_one_kpi_takes_the_kpi_chosen_on_upload(owned, immediate):
    client = client_for(owned["owner"])
    run = _run_of(_upload(client, "date,value\n2026-07-10,91\n", kpi="csat"))
    assert run.layout["fixed_kpi"] == "csat"
    client.post(f"/imports/readings/{run.pk}/start/")
    assert _current("csat")[-1] == ("2026-07-10", 91.0)


def test_the_kpi_choice_lists_only_kpis_the_person_may_record(owned):
    client = client_for(owned["owner"])
    page = client.get("/imports/readings/").content.decode()
    assert '<option value="csat">csat</option>' in page
    assert '<option value="churn">' not in page
    response = _upload(client, "date,value\n2026-07-31,1.8\n", kpi="churn")
    assert response.status_code == 400
    assert "Select a valid choice. churn is not one of the available choices." in (
        response.content.decode()
    )


def test_a_wide_xlsx_is_previewed_and_imported(owned, immediate, tmp_path):
    import openpyxl  # type: ignore[import-untyped]

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Date", "csat", "churn"])
    sheet.append(["2026-07-10", 91, None])
    path = tmp_path / "wide.xlsx"
    workbook.save(path)
    client = client_for(owned["admin"])
    upload = SimpleUploadedFile("wide.xlsx", path.read_bytes())
    run = _run_of(client.post("/imports/readings/", {"file": upload}))
    assert run.layout["format"] == "wide"
    client.post(f"/imports/readings/{run.pk}/start/")
    run.refresh_from_db()
    assert (run.status, run.created) == ("done", 1)


# --- Background work and progress ---------------------------------------------------


def test_a_queued_import_waits_for_a_worker(owned):
    """With the database queue, the import runs when `drumbeat worker` takes it."""
    client = client_for(owned["owner"])
    run = _run_of(_upload(client))
    client.post(f"/imports/readings/{run.pk}/start/")
    run.refresh_from_db()
    assert run.status == "queued"
    assert run.task_id
    page = client.get(f"/imports/readings/{run.pk}/progress/").content.decode()
    assert "Waiting for a worker" in page
    assert 'hx-trigger="every 1s"' in page
    readings_import_task.call(run.pk)  # what the worker runs
    run.refresh_from_db()
    assert (run.status, run.created) == ("done", 2)


def test_starting_twice_imports_once(owned):
    client = client_for(owned["owner"])
    run = _run_of(_upload(client))
    client.post(f"/imports/readings/{run.pk}/start/")
    client.post(f"/imports/readings/{run.pk}/start/")
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.count() == 1


def test_progress_while_running_comes_from_the_worker(owned, data_dir):
    client = client_for(owned["owner"])
    run = _run_of(_upload(client))
    ImportRun.objects.filter(pk=run.pk).update(status="running")
    (data_dir / f"{run.stored_name}.progress").write_text(
        json.dumps({"phase": "write", "rows": 500, "total": 1000})
    )
    page = client.get(f"/imports/readings/{run.pk}/progress/").content.decode()
    # Checking and writing is the first 90%: half way through is 45%.
    assert '<progress value="45" max="100">' in page
    assert "Checking and writing readings: 500 of about 1,000 rows (45%)" in page
    assert 'hx-trigger="every 1s"' in page


def test_uploads_not_imported_within_a_day_are_deleted(owned, data_dir):
    client = client_for(owned["owner"])
    old = _run_of(_upload(client))
    fresh = _run_of(_upload(client))
    two_days_ago = time.time() - 2 * 24 * 60 * 60
    os.utime(data_dir / old.stored_name, (two_days_ago, two_days_ago))
    assert import_uploads_expire() == 1
    assert sorted(p.name for p in data_dir.iterdir()) == [fresh.stored_name]
    old.refresh_from_db()
    assert old.status == "expired"
    page = client.get(f"/imports/readings/{old.pk}/").content.decode()
    assert "was not imported within a day of its upload and was deleted" in page


def test_a_file_whose_columns_are_not_read_yet_cannot_be_imported(owned, immediate):
    client = client_for(owned["owner"])
    run = _run_of(_upload(client, "metric,on,figure\ncsat,2026-07-10,91\n"))
    response = client.post(f"/imports/readings/{run.pk}/start/")
    assert response.status_code == 400
    assert "Choose how the columns are read before importing." in (
        response.content.decode()
    )
    run.refresh_from_db()
    assert run.status == "uploaded"


def test_the_columns_of_an_imported_file_cannot_change(owned, immediate):
    client = client_for(owned["owner"])
    run = _run_of(_upload(client))
    client.post(f"/imports/readings/{run.pk}/start/")
    data = {"header_row": "1", "format": "wide", "at": "1"}
    response = client.post(
        f"/imports/readings/{run.pk}/layout/", data, headers={"HX-Request": "true"}
    )
    assert response["HX-Redirect"] == f"/imports/readings/{run.pk}/"
    run.refresh_from_db()
    assert run.layout["format"] == "long"


def test_an_import_runs_with_the_rights_of_its_uploader_when_it_runs(owned):
    """Ownership given away between the upload and the worker's turn counts."""
    client = client_for(owned["owner"])
    run = _run_of(_upload(client))
    client.post(f"/imports/readings/{run.pk}/start/")
    KPI.objects.filter(key="csat").update(owner=owned["owner2"])
    count = Reading.objects.count()
    readings_import_task.call(run.pk)
    run.refresh_from_db()
    assert run.status == "refused"
    assert run.problems[0]["message"].startswith(
        "you may not record readings of 'csat'"
    )
    assert Reading.objects.count() == count


def test_columns_that_are_not_read_are_named_on_the_preview(owned):
    client = client_for(owned["owner"])
    text = "kpi,at,value,system\ncsat,2026-07-10,91,crm\n"
    run = _run_of(_upload(client, text))
    page = client.get(f"/imports/readings/{run.pk}/").content.decode()
    assert "Not read: D · system." in page


# --- Large and hostile files ---------------------------------------------------------


@pytest.fixture
def unreadable(monkeypatch):
    """Any reading of an uploaded file fails the test: what a page may not do."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was read in the request")

    monkeypatch.setattr(files, "open_table", refuse)
    return monkeypatch


def test_a_large_file_is_read_by_the_worker_not_the_request(
    owned, monkeypatch, unreadable
):
    """With the database queue and no worker: the upload answers at once, and the
    page says the file is being read, polling until it is."""
    monkeypatch.setattr(services, "PREVIEW_INLINE_BYTES", 10)
    client = client_for(owned["owner"])
    run = _run_of(_upload(client))
    assert (run.status, run.layout, run.preview) == ("reading", {}, {})
    page = client.get(f"/imports/readings/{run.pk}/").content.decode()
    assert "Reading the file…" in page
    assert (
        f'hx-get="/imports/readings/{run.pk}/progress/" hx-trigger="every 1s"' in page
    )
    progress = client.get(f"/imports/readings/{run.pk}/progress/")
    assert "Reading the file…" in progress.content.decode()
    assert "HX-Redirect" not in progress
    unreadable.undo()
    import_preview_task.call(run.pk)  # what the worker runs
    run.refresh_from_db()
    assert (run.status, run.layout["format"], run.rows_total) == ("uploaded", "long", 2)
    progress = client.get(
        f"/imports/readings/{run.pk}/progress/", headers={"HX-Request": "true"}
    )
    assert progress["HX-Redirect"] == f"/imports/readings/{run.pk}/"
    page = client.get(f"/imports/readings/{run.pk}/").content.decode()
    assert '<td>csat</td><td>2026-07-10</td><td class="num">91.0</td>' in page


def test_with_an_immediate_worker_the_preview_is_ready_after_the_upload(
    owned, immediate, monkeypatch
):
    """The task reads the file, as a worker would (here at once, in the request)."""
    monkeypatch.setattr(services, "PREVIEW_INLINE_BYTES", 10)
    read = services.import_run_preview_read
    read_by_the_task = []

    def spy(*, run_id: int) -> None:
        read_by_the_task.append(run_id)
        read(run_id=run_id)

    monkeypatch.setattr(services, "import_run_preview_read", spy)
    run = _run_of(_upload(client_for(owned["owner"])))
    assert read_by_the_task == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.layout["format"]) == ("uploaded", "long")


def test_visiting_a_previewed_file_never_reads_it_again(owned):
    client = client_for(owned["owner"])
    run = _run_of(_upload(client, "metric,on,figure\ncsat,2026-07-10,91\n"))
    assert run.status == "uploaded"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files, "open_table", None)  # any reading would fail
        for _visit in range(2):
            page = client.get(f"/imports/readings/{run.pk}/").content.decode()
            assert "no header: this row (metric, on, figure) names no date" in page
            assert '<option value="1">B · on</option>' in page
        response = client.post(
            f"/imports/readings/{run.pk}/layout/",
            {"header_row": "1", "format": "long", "at": "1", "kpi": "0", "value": "1"},
        )
        assert "each column can only be used for one thing" in response.content.decode()


def test_the_columns_of_a_large_file_are_read_by_the_worker(owned, monkeypatch):
    monkeypatch.setattr(services, "PREVIEW_INLINE_BYTES", 10)
    client = client_for(owned["owner"])
    run = _run_of(_upload(client, "metric,on,figure\ncsat,2026-07-10,91\n"))
    import_preview_task.call(run.pk)
    response = client.post(
        f"/imports/readings/{run.pk}/layout/",
        {"header_row": "1", "format": "long", "at": "1", "kpi": "0", "value": "2"},
        headers={"HX-Request": "true"},
    )
    assert response["HX-Redirect"] == f"/imports/readings/{run.pk}/"
    run.refresh_from_db()
    assert (run.status, run.layout["value"]) == ("reading", 2)
    import_preview_task.call(run.pk)
    page = client.get(f"/imports/readings/{run.pk}/").content.decode()
    assert '<td>csat</td><td>2026-07-10</td><td class="num">91.0</td>' in page
    assert ">Import</button>" in page


def test_a_preview_that_stops_unexpectedly_says_so(owned, monkeypatch):
    monkeypatch.setattr(services, "PREVIEW_INLINE_BYTES", 10)
    client = client_for(owned["owner"])
    run = _run_of(_upload(client))

    def broken(run: ImportRun) -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(services, "_preview_read", broken)
    with pytest.raises(RuntimeError):
        import_preview_task.call(run.pk)
    run.refresh_from_db()
    assert run.status == "failed"
    page = client.get(f"/imports/readings/{run.pk}/").content.decode()
    assert "the file could not be read, so nothing was written; try again" in page


def test_a_zip_bomb_is_refused_on_upload_unread(owned, settings, data_dir, unreadable):
    settings.DRUMBEAT_IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    client = client_for(owned["owner"])
    bomb = write_bomb(data_dir.parent.parent / "bomb.xlsx", 2)
    upload = SimpleUploadedFile("bomb.xlsx", bomb.read_bytes())
    run = _run_of(client.post("/imports/readings/", {"file": upload}))
    assert run.status == "refused"
    [problem] = run.problems
    assert problem["message"].startswith("the workbook unpacks to 2.0 MB (ratio ")
    assert problem["message"].endswith(
        "over the 1.0 MB limit; split it into smaller workbooks, or save it as CSV "
        "UTF-8 (.csv)"
    )
    assert list(data_dir.iterdir()) == []
    page = client.get(f"/imports/readings/{run.pk}/").content.decode()
    assert "Refused: nothing was written" in page
    assert "the workbook unpacks to 2.0 MB" in page


def test_an_upload_waiting_for_its_preview_expires_after_a_day(
    owned, monkeypatch, data_dir
):
    monkeypatch.setattr(services, "PREVIEW_INLINE_BYTES", 10)
    run = _run_of(_upload(client_for(owned["owner"])))
    two_days_ago = time.time() - 2 * 24 * 60 * 60
    os.utime(data_dir / run.stored_name, (two_days_ago, two_days_ago))
    assert import_uploads_expire() == 1
    run.refresh_from_db()
    assert run.status == "expired"
    import_preview_task.call(run.pk)  # a worker late to it leaves it alone
    run.refresh_from_db()
    assert run.status == "expired"

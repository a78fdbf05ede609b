"""Migrations of import runs, run on rows written the old way."""

from __future__ import annotations

import pytest

from tests.conftest import latest_migrations, migrate

BEFORE = [("imports", "0001_initial")]
AFTER = [("imports", "0002_preview_in_the_worker")]


@pytest.mark.django_db(transaction=True)
def test_uploads_waiting_without_a_stored_preview_expire(django_user_model):
    """Before, an upload was read again at every visit and kept no preview; after,
    the page shows only the preview kept, so one waiting is expired (uploaded
    again, it is read once). Runs in any other state stay as they were."""
    apps = migrate(BEFORE)
    run_model = apps.get_model("imports", "ImportRun")
    user = django_user_model.objects.create(username="grace")
    for status in ("uploaded", "queued", "done"):
        run_model.objects.create(
            created_by_id=user.pk,
            file_name=f"{status}.csv",
            stored_name=f"{status}.csv",
            size=1,
            status=status,
        )
    apps = migrate(AFTER)
    run_model = apps.get_model("imports", "ImportRun")
    statuses = dict(run_model.objects.values_list("file_name", "status"))
    assert statuses == {
        "uploaded.csv": "expired",
        "queued.csv": "queued",
        "done.csv": "done",
    }
    migrate(latest_migrations())

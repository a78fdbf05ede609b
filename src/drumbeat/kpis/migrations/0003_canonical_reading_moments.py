"""Readings' moments in their canonical text (`drumbeat.core.moments`).

Before, a reading's `at` was kept as it was given, so the same moment written two
ways (`2026-07-10T00:00:00` through the API, `2026-07-10` from a CSV file) made two
current readings of one KPI on one day. Each timestamp is rewritten in its
canonical form; where that makes two current readings of one moment, the one
recorded last stays current and the others are superseded (kept, as corrections
are).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone

from drumbeat.core.moments import MomentError, moment_day, moment_text, reading_moment


def canonical_moments(apps: Any, schema_editor: Any) -> None:
    Reading = apps.get_model("kpis", "Reading")
    now = timezone.now()
    # Dates were always checked as YYYY-MM-DD: only timestamps can differ.
    for reading in (
        Reading.objects.exclude(at__regex=r"^\d{4}-\d{2}-\d{2}$")
        .order_by("kpi_id", "recorded_at", "pk")
        .iterator()
    ):
        try:
            moment = reading_moment(reading.at)
        except MomentError:
            continue  # not a moment any way in accepts today: left as it was
        text = moment_text(moment)
        if text == reading.at:
            continue
        changes: dict[str, Any] = {"at": text, "day": moment_day(moment)}
        if reading.superseded_at is None:
            # One current reading of the moment: the one recorded last.
            same = Reading.objects.filter(
                kpi_id=reading.kpi_id, at=text, superseded_at__isnull=True
            )
            if same.filter(recorded_at__gt=reading.recorded_at).exists():
                changes["superseded_at"] = now
            else:
                same.update(superseded_at=now)
        Reading.objects.filter(pk=reading.pk).update(**changes)


class Migration(migrations.Migration):
    dependencies = [("kpis", "0002_source_state")]

    operations = [
        migrations.RunPython(canonical_moments, migrations.RunPython.noop),
    ]

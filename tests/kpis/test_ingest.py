"""Batches of readings, as the API, imports and pulls record them: all or nothing,
idempotent, corrections kept."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drumbeat.core.moments import MOMENT_HELP
from drumbeat.kpis.models import Reading
from drumbeat.kpis.services.readings import (
    TWICE_IN_A_BATCH,
    IngestError,
    ReadingIn,
    _rows_when_all_good,
    readings_check,
    readings_ingest,
)
from drumbeat.okrs.models import KeyResult

pytestmark = pytest.mark.django_db


def _ingest(batch: list[ReadingIn], by=None):
    return readings_ingest(
        readings=lambda: batch, by=by, source="api", source_detail="token ci"
    )


def _current(kpi: str) -> list[tuple[str, float]]:
    rows = Reading.objects.filter(kpi__key=kpi, superseded_at__isnull=True)
    return [(r.at, r.value) for r in rows.order_by("day", "at")]


def test_a_batch_records_its_readings_and_rescoring_follows(small_workspace, users):
    result = _ingest(
        [ReadingIn("csat", "2026-07-10", 91), ReadingIn("churn", "2026-07-31", 1.8)],
        by=users["admin"],
    )
    assert (result.created, result.corrected, result.unchanged) == (2, 0, 0)
    assert _current("csat")[-1] == ("2026-07-10", 91.0)
    reading = Reading.objects.get(kpi__key="csat", at="2026-07-10")
    assert (reading.source, reading.source_detail, reading.recorded_by) == (
        "api",
        "token ci",
        users["admin"],
    )
    # csat-up: baseline 85, target 95; 91 is 60% of the way.
    assert KeyResult.objects.get(key="csat-up").progress == pytest.approx(0.6)


def test_the_same_batch_twice_changes_nothing(small_workspace):
    batch = [ReadingIn("csat", "2026-07-10", 91)]
    _ingest(batch)
    count = Reading.objects.count()
    again = _ingest(batch)
    assert (again.created, again.corrected, again.unchanged) == (0, 0, 1)
    assert Reading.objects.count() == count


def test_a_different_value_at_the_same_moment_is_a_correction_kept_in_history(
    small_workspace,
):
    _ingest([ReadingIn("csat", "2026-07-03", 87.5)])
    assert _current("csat") == [("2026-06-26", 85.0), ("2026-07-03", 87.5)]
    earlier = Reading.objects.get(kpi__key="csat", at="2026-07-03", value=88)
    assert earlier.superseded_at is not None


def test_two_values_of_one_moment_in_one_batch_are_a_problem(small_workspace):
    """Which one would be meant? The batch is refused, naming the second."""
    with pytest.raises(IngestError) as raised:
        _ingest(
            [
                ReadingIn("csat", "2026-07-10", 90),
                ReadingIn("csat", "2026-07-10T00:00:00", 92),
            ]
        )
    assert [(p.index, p.field, p.message) for p in raised.value.problems] == [
        (1, "at", TWICE_IN_A_BATCH)
    ]
    assert not Reading.objects.filter(day=dt.date(2026, 7, 10)).exists()


def test_two_values_of_one_moment_in_chunks_of_one_batch_are_a_problem(
    small_workspace, monkeypatch
):
    monkeypatch.setattr("drumbeat.kpis.services.readings.INGEST_CHUNK", 2)
    with pytest.raises(IngestError) as raised:
        _ingest(
            [
                ReadingIn("csat", "2026-07-10", 90),
                ReadingIn("csat", "2026-07-11", 91),
                ReadingIn("csat", "2026-07-10", 92),
            ]
        )
    assert [(p.index, p.field) for p in raised.value.problems] == [(2, "at")]
    assert not Reading.objects.filter(day__gte=dt.date(2026, 7, 10)).exists()


def test_the_same_reading_twice_in_one_batch_is_unchanged_the_second_time(
    small_workspace,
):
    result = _ingest(
        [ReadingIn("csat", "2026-07-10", 90), ReadingIn("csat", "2026-07-10", 90)]
    )
    assert _current("csat")[-1] == ("2026-07-10", 90.0)
    assert (result.created, result.unchanged) == (1, 1)


def test_a_timestamp_counts_on_its_utc_day_and_is_kept_in_utc(small_workspace):
    _ingest([ReadingIn("csat", "2026-07-10T23:30:00-02:00", 90)])
    reading = Reading.objects.get(kpi__key="csat", at="2026-07-11T01:30:00+00:00")
    assert reading.day == dt.date(2026, 7, 11)


def test_a_reading_dated_after_tomorrow_is_refused(small_workspace):
    """A reading records what happened: one dated after tomorrow (the server's
    today is 2026-11-25 here) is a typo, and the batch is refused whole."""
    with pytest.raises(IngestError) as raised:
        _ingest(
            [
                ReadingIn("csat", "2026-11-26", 90),  # tomorrow: a zone ahead
                ReadingIn("csat", "2026-11-27T08:00:00+00:00", 91),
            ]
        )
    assert [(p.index, p.field, p.message) for p in raised.value.problems] == [
        (
            1,
            "at",
            "2026-11-27T08:00:00+00:00 is in the future: a reading may be dated "
            "2026-11-26 at the latest (today is 2026-11-25); check the date",
        )
    ]
    assert not Reading.objects.filter(day__gte=dt.date(2026, 11, 26)).exists()


def test_a_bad_batch_lists_every_problem_by_index_and_field_and_writes_nothing(
    small_workspace,
):
    count = Reading.objects.count()
    with pytest.raises(IngestError) as raised:
        _ingest(
            [
                ReadingIn("csat", "2026-07-10", 90),
                ReadingIn("nps", "2026-07-10", 40),
                ReadingIn("csat", "10/07/2026", 90),
                ReadingIn("csat", "2026-07-11", float("nan")),
                ReadingIn("csat", "2026-07-12", "ninety"),
            ]
        )
    problems = [(p.index, p.field, p.message) for p in raised.value.problems]
    assert problems == [
        (
            1,
            "kpi",
            "no KPI 'nps' in the dictionary: check the key, or add the KPI first",
        ),
        (
            2,
            "at",
            f"'10/07/2026' is not a date: {MOMENT_HELP}",
        ),
        (3, "value", "must be a finite number, not nan"),
        (4, "value", "must be a number, not 'ninety'"),
    ]
    assert Reading.objects.count() == count


def test_a_batch_larger_than_a_chunk_is_written_whole(small_workspace, monkeypatch):
    monkeypatch.setattr("drumbeat.kpis.services.readings.INGEST_CHUNK", 3)
    start = dt.date(2026, 7, 10)
    batch = [
        ReadingIn("csat", (start + dt.timedelta(days=i)).isoformat(), 90 + i % 3)
        for i in range(10)
    ]
    batch.append(ReadingIn("csat", "2026-07-03", 95))  # corrects a stored one
    result = _ingest(batch)
    assert (result.created, result.corrected) == (10, 1)
    assert _current("csat")[1] == ("2026-07-03", 95.0)
    assert len(_current("csat")) == 12


def test_an_iso_week_date_is_not_taken_for_a_day(small_workspace):
    with pytest.raises(IngestError) as raised:
        _ingest([ReadingIn("csat", "2026-W28-1", 90)])
    [problem] = raised.value.problems
    assert (problem.field, problem.message) == (
        "at",
        f"'2026-W28-1' is not a date: {MOMENT_HELP}",
    )


_KPIS = {"csat": 1, "churn": 2}
_TODAY = dt.date(2026, 7, 10)
_READINGS = st.builds(
    ReadingIn,
    kpi=st.sampled_from(["csat", "churn", "nope"]),
    at=st.sampled_from(
        [
            "2026-07-10",
            "2026-07-11",
            "2026-07-12",  # after tomorrow: refused
            "2026-07-10T09:30:00+02:00",
            "2026-07-10T00:00:00",  # the day itself
            dt.date(2026, 7, 10),
            "2026-02-30",
            "x",
        ]
    ),
    value=st.sampled_from([1.5, -3.0, 0.0, 1e308, float("nan"), float("inf"), 4, "7"]),
    note=st.sampled_from(["", "late", "a\x00b"]),
)


@settings(max_examples=300, deadline=None)
@given(batch=st.lists(_READINGS, max_size=12), start=st.integers(0, 50))
def test_a_batch_checked_column_by_column_is_checked_as_reading_by_reading(
    batch, start
):
    # Good batches take a shortcut; it must give the rows, and refuse the batches,
    # that checking each reading gives.
    checked = readings_check(batch, _KPIS, today=_TODAY, start=start)
    with mock.patch(
        "drumbeat.kpis.services.readings._rows_when_all_good", return_value=None
    ):
        assert checked == readings_check(batch, _KPIS, today=_TODAY, start=start)


@pytest.mark.parametrize(
    "batch",
    [
        [ReadingIn("csat", "2026-07-10", 1.5), ReadingIn("churn", "2026-07-11", 2.0)],
        [ReadingIn("csat", "2026-07-10T09:30:00+02:00", 1e15, "late")],
    ],
)
def test_a_good_batch_takes_the_column_shortcut(batch):
    assert _rows_when_all_good(batch, _KPIS, _TODAY) is not None

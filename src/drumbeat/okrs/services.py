"""Writes to OKRs: check-ins."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils import timezone

from drumbeat.okrs.models import CheckIn, KeyResult


def key_result_check_in(
    *,
    key_result: KeyResult,
    by: User,
    confidence: float,
    note: str = "",
    blockers: str = "",
) -> CheckIn:
    """Record a person's check-in on a KR today."""
    if not 0.0 <= confidence <= 1.0:
        raise ValueError("Confidence is between 0 and 1.")
    return CheckIn.objects.create(
        key_result=key_result,
        at=timezone.localdate(),
        by=by,
        by_name=by.get_full_name() or by.get_username(),
        confidence=confidence,
        note=note,
        blockers=blockers,
    )

"""Optimistic locking for edit forms: a form carries the version it was opened at,
and a save over someone else's newer change is refused, never silently applied."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from drumbeat.workspace import WorkspaceError


class Edited(models.Model):
    """A row people edit in forms: its version, and who saved it last and when."""

    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class Archivable(models.Model):
    """A row that can be archived and restored: off dashboards, boards and lint,
    its history kept, still reachable by its URL."""

    archived_at = models.DateTimeField(null=True, blank=True, db_index=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class StaleEditError(Exception):
    """Someone else saved the object after the form was opened."""


def ensure_unchanged(locked: Any, version: int) -> None:
    """Raise with who changed `locked` and when, if it moved past `version`."""
    if locked.version == version:
        return
    who = locked.updated_by.get_username() if locked.updated_by else "someone"
    when = timezone.localtime(locked.updated_at).strftime("%Y-%m-%d %H:%M")
    raise StaleEditError(
        f"Changed by {who} at {when} since you opened it; reload to see it."
    )


EditedModel = TypeVar("EditedModel", bound=models.Model)


def lock_for_edit(
    model: type[EditedModel], pk: int, version: int | None
) -> EditedModel:
    """The row, locked until the transaction ends, if nobody changed it since
    `version`; its version is moved on for the save."""
    row: Any = (
        model._default_manager.select_for_update(of=("self",))
        .select_related("updated_by")
        .get(pk=pk)
    )
    ensure_unchanged(row, version or 0)
    row.version += 1
    locked: EditedModel = row
    return locked


def add_problems_to_form(
    form: Any, error: Any, aliases: dict[str, str] | None = None
) -> None:
    """Put each located problem of a WorkspaceError beside its form field (by the
    last part of its path, without an item's index: `drives[1]` is `drives`), or
    above the form."""
    for problem in error.problems:
        field = (problem.field or "").rsplit(".", 1)[-1].split("[", 1)[0]
        field = (aliases or {}).get(field, field)
        form.add_error(field if field in form.fields else None, problem.message)


Saved = TypeVar("Saved")


def save_from_form(
    form: Any, save: Callable[[], Saved], aliases: dict[str, str] | None = None
) -> Saved | None:
    """Run a service's save for a form and return what it saved, or None with the
    refusal placed on the form: a save over someone else's newer change above the
    form, a broken workspace rule beside its field (`aliases` maps a rule's field
    to the form's), a service's ValidationError beside the field it names."""
    try:
        return save()
    except StaleEditError as error:
        form.add_error(None, str(error))
    except WorkspaceError as error:
        add_problems_to_form(form, error, aliases)
    except ValidationError as error:
        add_refusal_to_form(form, error)
    return None


def add_refusal_to_form(form: Any, error: ValidationError) -> None:
    """Put a service's ValidationError beside the field it names, else above the
    form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, problems in error.error_dict.items():
        form.add_error(field if field in form.fields else None, problems)

"""What a backup holds, and what the database holds now: its tables, the rows in
them, and the migrations applied to it."""

from __future__ import annotations

from django.apps import apps
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model

Migration = tuple[str, str]
"""A migration as Django records it: (app label, migration name)."""

EXCLUDED = {
    # A session's key is a live sign-in: a backup holding them would let whoever
    # reads it act as anyone signed in. People sign in again after a restore.
    "sessions.session",
}
MADE_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission"}
"""Tables that `migrate` fills itself: a database with rows only in these is empty
(a restore replaces them with the backup's, whose ids other rows refer to)."""


def backup_models(registry: Apps = apps) -> list[type[Model]]:
    """Every table of the installed apps, in a stable order: many-to-many tables
    (people's groups) and the history tables included, sessions excluded. As this
    version has them, or as an older one had them (`registry`: the models of a
    migration state)."""
    return sorted(
        (
            model
            for model in registry.get_models(include_auto_created=True)
            if model._meta.managed
            and not model._meta.proxy
            and model._meta.label_lower not in EXCLUDED
        ),
        key=lambda model: model._meta.label_lower,
    )


def excluded_models() -> list[type[Model]]:
    """The tables a backup leaves out (emptied by a restore with --replace)."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label_lower in EXCLUDED
    ]


def rows_present() -> dict[str, int]:
    """The rows of each table that holds anything `migrate` did not put there,
    by table (label): empty for a database that is new or only migrated."""
    counts = {}
    for model in backup_models() + excluded_models():
        label = model._meta.label_lower
        if label in MADE_BY_MIGRATE:
            continue
        count = model._base_manager.count()
        if count:
            counts[label] = count
    return counts


def migrations_applied() -> frozenset[Migration]:
    """The migrations applied to the database (none for a new database)."""
    return frozenset(MigrationRecorder(connection).applied_migrations())


def migrations_pending() -> list[Migration]:
    """The migrations this version needs that the database has not had."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [(migration.app_label, migration.name) for migration, _ in plan]


def migrations_known() -> frozenset[Migration]:
    """The migrations this version of Drumbeat and its libraries ship."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)

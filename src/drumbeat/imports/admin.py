"""Import runs in Django's admin: to see who imported which file and how it went."""

from __future__ import annotations

from django.contrib import admin

from drumbeat.imports.models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin[ImportRun]):
    list_display = ("file_name", "created_by", "created_at", "status", "created")
    list_filter = ("status",)
    search_fields = ("file_name", "created_by__username")
    readonly_fields = tuple(field.name for field in ImportRun._meta.fields)

    def has_add_permission(self, request: object) -> bool:
        return False

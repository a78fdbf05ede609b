"""API answer fields about people, shared by the apps' answers."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema

from drumbeat.accounts.selectors import person_display_name


class OwnedOut(Schema):
    """The owner's account of a KPI, objective or KR (additive to `owner`, the name
    as written): its username and display name; null when the owner is only a
    name. The answer's rows come with `owner` selected, so as not to query a row."""

    owner_username: str | None = Field(
        None, description="the owner's account; null: the owner is only a name"
    )
    owner_display_name: str | None = Field(
        None, description="the owner account's display name"
    )

    @staticmethod
    def resolve_owner_username(row: Any) -> str | None:
        return row.owner.username if row.owner else None

    @staticmethod
    def resolve_owner_display_name(row: Any) -> str | None:
        return person_display_name(row.owner) if row.owner else None

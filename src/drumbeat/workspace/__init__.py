"""Workspace files: KPIs, readings, cycles and OKRs as YAML ("metrics as code")."""

from drumbeat.workspace.dump import dump_workspace, workspace_to_data
from drumbeat.workspace.load import (
    WorkspaceError,
    load_workspace,
    load_workspace_data,
    load_workspace_text,
)

__all__ = [
    "WorkspaceError",
    "dump_workspace",
    "load_workspace",
    "load_workspace_data",
    "load_workspace_text",
    "workspace_to_data",
]

"""Writes to the KPI dictionary: `readings` (the one way readings are written),
`definitions` (KPIs added and changed)."""

from drumbeat.kpis.services.definitions import kpi_archive, kpi_restore

__all__ = ["kpi_archive", "kpi_restore"]

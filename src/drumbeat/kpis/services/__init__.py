"""Writes to the KPI dictionary: `readings` (the one way readings are written),
`definitions` (KPIs added and changed)."""

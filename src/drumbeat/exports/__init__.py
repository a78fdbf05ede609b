"""Exports: readings, KPI statuses, scores and check-ins as CSV, XLSX or JSON,
for a filter, streamed so that memory stays bounded however many rows."""

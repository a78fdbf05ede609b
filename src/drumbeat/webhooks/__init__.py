"""Outgoing webhooks: KPI health and staleness changes and cycle closes, posted
signed to the addresses admins configure."""

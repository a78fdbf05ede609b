from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "drumbeat.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        """Listen to the KPI status signals and cycle closes, once per process."""
        from drumbeat.kpis.signals import kpi_statuses_changed, statuses_refreshed
        from drumbeat.okrs.signals import cycle_closed
        from drumbeat.webhooks import receivers

        kpi_statuses_changed.connect(
            receivers.on_kpi_statuses_changed,
            dispatch_uid="drumbeat.webhooks.kpi_statuses_changed",
        )
        statuses_refreshed.connect(
            receivers.on_statuses_refreshed,
            dispatch_uid="drumbeat.webhooks.statuses_refreshed",
        )
        cycle_closed.connect(
            receivers.on_cycle_closed, dispatch_uid="drumbeat.webhooks.cycle_closed"
        )

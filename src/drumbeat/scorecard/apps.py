from django.apps import AppConfig


class ScorecardConfig(AppConfig):
    name = "drumbeat.scorecard"
    label = "scorecard"

    def ready(self) -> None:
        """Refresh what the dictionary's and the OKRs' changes move, once per
        process (see `drumbeat.scorecard.receivers`), and give the API and the pages
        their hit forecasts and the boards their attribution (see
        `okrs.selectors.hit_forecasts_provided_by`, `attribution_provided_by`)."""
        from drumbeat.kpis.signals import kpis_changed
        from drumbeat.okrs.selectors import (
            attribution_provided_by,
            cycle_hit_forecasts_provided_by,
            hit_forecasts_provided_by,
        )
        from drumbeat.okrs.signals import okrs_changed
        from drumbeat.scorecard import receivers
        from drumbeat.scorecard.attribution import cycle_kpis_attribution
        from drumbeat.scorecard.selectors import (
            active_key_result_hit_forecasts,
            key_result_hit_forecasts,
        )

        hit_forecasts_provided_by(active_key_result_hit_forecasts)
        cycle_hit_forecasts_provided_by(key_result_hit_forecasts)
        attribution_provided_by(cycle_kpis_attribution)
        kpis_changed.connect(
            receivers.on_kpis_changed, dispatch_uid="drumbeat.scorecard.kpis_changed"
        )
        okrs_changed.connect(
            receivers.on_okrs_changed, dispatch_uid="drumbeat.scorecard.okrs_changed"
        )

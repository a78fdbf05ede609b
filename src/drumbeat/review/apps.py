from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "drumbeat.review"
    label = "review"

    def ready(self) -> None:
        """Give the cycle board its forecasts (see `okrs.selectors.
        forecasts_provided_by`)."""
        from drumbeat.okrs.selectors import forecasts_provided_by
        from drumbeat.review.week import cycle_forecasts

        forecasts_provided_by(cycle_forecasts)

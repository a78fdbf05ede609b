"""The scorecard: the KPI dictionary and the OKRs read together."""

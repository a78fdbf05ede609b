"""The KPI dictionary: definitions, readings and each KPI's computed status."""

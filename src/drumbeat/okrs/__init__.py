"""Cycles, objectives, key results and check-ins."""

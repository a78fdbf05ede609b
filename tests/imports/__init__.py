"""Tests of the pure readers of readings files."""

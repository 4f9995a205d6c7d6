"""Pitboard: race updates for touring-car and endurance racing fans."""

__version__ = "0.1.0"

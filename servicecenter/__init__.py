"""servicecenter: repair workflow for networks of service centers (domain core)."""

__version__ = "0.1.0"

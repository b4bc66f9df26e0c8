"""The public help section (/help/): published public articles with search, no login."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("help", __name__, url_prefix="/help")

from workstations.help import views  # noqa: E402, F401  (routes register on bp)

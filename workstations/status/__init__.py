"""The customer's status page: public, no login; an order number and the phone's last four digits."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("status", __name__)

from workstations.status import views  # noqa: E402, F401  (routes register on bp)

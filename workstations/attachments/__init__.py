"""Photos of an order: upload on the order page (and at intake), download originals and thumbnails."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("attachments", __name__)

from workstations.attachments import views  # noqa: E402, F401  (routes register on bp)

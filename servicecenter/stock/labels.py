"""Shelf and part labels: the domain's locations and parts as `printing.stock_labels` data."""

from __future__ import annotations

from printing.labels import PRESETS
from printing.stock_labels import PART, SHELF, StockLabelDoc
from servicecenter.centers.models import Location, ServiceCenter
from servicecenter.stock.models import Part


def _size(center: ServiceCenter | None) -> dict[str, float]:
    profile = PRESETS.get(center.label_profile if center is not None else "", PRESETS["58x40"])
    return {"width_mm": profile.width_mm, "height_mm": profile.height_mm}


def build_shelf_label(location: Location) -> StockLabelDoc:
    """A shelf's (or warehouse's) label: its code as Code 128, its name and its warehouse."""
    parent = location.parent.name if location.parent is not None else ""
    return StockLabelDoc(kind=SHELF, code=location.code, title=location.name, note=parent, **_size(location.center))


def build_part_label(part: Part, center: ServiceCenter | None) -> StockLabelDoc:
    """A part's label: its barcode (or SKU when it has none) as Code 128, its name and SKU."""
    code = part.barcode or part.sku
    return StockLabelDoc(kind=PART, code=code, title=part.name, note=part.sku if code != part.sku else "",
                         **_size(center))

"""Printed documents of an order (the same bytes as the order page's) and the one scan lookup."""

from __future__ import annotations

from flask import current_app, jsonify, url_for
from werkzeug.wrappers import Response

from printing import (
    labels_with_accessories,
    render_label_png,
    render_label_zpl,
    render_labels_pdf,
    render_work_order,
)
from servicecenter.errors import N_, NotFound
from servicecenter.i18n import translator
from servicecenter.repairs import queries
from servicecenter.repairs.documents import build_label, build_work_order, label_profile
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.words import work_order_words
from servicecenter.scanning import ScanKind, identify
from workstations.api import bp
from workstations.web.access import any_staff
from workstations.web.auth_session import actor
from workstations.web.dbsession import db


def _file(data: bytes, mimetype: str, filename: str, inline: bool = True) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _label(order: RepairOrder):  # noqa: ANN202
    return build_label(order, label_profile(order.center, current_app.config["SETTINGS"].public_url))


@bp.route("/repair-orders/<number>/work-order.pdf")
@any_staff()
def work_order_pdf(number: str) -> Response:
    """The work order (заказ-наряд), in Russian like every printed document."""
    order = queries.get_order_by_number(db(), number)
    words = work_order_words(order, queries.list_order_history(db(), order), translator("ru").gettext)
    return _file(render_work_order(build_work_order(order, words, clerk=actor().name)), "application/pdf",
                 f"{order.number}.pdf")


@bp.route("/repair-orders/<number>/label.pdf")
@any_staff()
def label_pdf(number: str) -> Response:
    """The unit's label, then one per accessory received, one label a page."""
    order = queries.get_order_by_number(db(), number)
    docs = labels_with_accessories(_label(order), order.accessories or [])
    return _file(render_labels_pdf(docs), "application/pdf", f"{order.number}-label.pdf")


@bp.route("/repair-orders/<number>/label.png")
@any_staff()
def label_png(number: str) -> Response:
    order = queries.get_order_by_number(db(), number)
    return _file(render_label_png(_label(order)), "image/png", f"{order.number}-label.png")


@bp.route("/repair-orders/<number>/label.zpl")
@any_staff()
def label_zpl(number: str) -> Response:
    order = queries.get_order_by_number(db(), number)
    return _file(render_label_zpl(_label(order)), "text/plain", f"{order.number}-label.zpl", inline=False)


def _scan_url(kind: ScanKind, ref: str) -> str:
    """Where the scanned thing is read: its API resource (orders, units' history), or (no resource yet)
    its workstation page."""
    if kind == ScanKind.ORDER:
        return url_for("api.order", number=ref)
    if kind == ScanKind.SHIPMENT:
        return url_for("logistics.show", ref=ref)
    if kind == ScanKind.SHELF:
        return url_for("warehouse.shelf", code=ref)
    if kind == ScanKind.PART:
        return url_for("warehouse.part", code=ref)
    return url_for("api.unit_history", unit_id=int(ref))


@bp.route("/scan/<path:code>")
@any_staff()
def scan(code: str) -> Response:
    """What a scanned code is (as the caller's scope sees it): an order, unit, part, shelf or shipment."""
    found = identify(db(), code)
    if found is None:
        raise NotFound(N_("Nothing known has the code %(code)s"), code=code[:80])
    return jsonify({"kind": found.kind.value, "code": found.code, "ref": found.ref,
                    "url": _scan_url(found.kind, found.ref),
                    "candidates": [int(c) for c in found.candidates]})

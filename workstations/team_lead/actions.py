"""The team lead's bulk actions on checked rows: assign, priority, labels, work orders, route; and accepting
one row's auto-suggestion. Each is one service call: all the checked orders or none."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from printing import labels_with_accessories, render_labels_pdf
from servicecenter.accounts.models import User
from servicecenter.centers.models import ServiceCenter
from servicecenter.errors import N_, DomainError, ValidationFailed
from servicecenter.fields import parse_id
from servicecenter.filejobs.services import request_work_orders
from servicecenter.repairs import bulk as bulk_ops
from servicecenter.repairs.documents import build_label, label_profile
from servicecenter.repairs.queue import UNASSIGNED
from workstations.team_lead import bp
from workstations.team_lead.forms import BulkForm
from workstations.team_lead.views import own_center
from workstations.web.auth_session import actor
from workstations.web.dbsession import db
from workstations.web.errors import translate


def _back(target: str | None) -> str:
    """Back to the queue as it was filtered; only ever to a team-lead page."""
    target = (target or "").strip()
    if target.startswith("/team-lead/") and "//" not in target and "\\" not in target:
        return target
    return url_for("team_lead.index")


def _labels_pdf(orders) -> Response:  # noqa: ANN001
    public_url = current_app.config["SETTINGS"].public_url
    docs = [doc for o in orders
            for doc in labels_with_accessories(build_label(o, label_profile(o.center, public_url)), o.accessories or [])]
    response = Response(render_labels_pdf(docs), mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="labels.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _engineer(raw: str | None) -> User | None:
    """The engineer picked; None for "nobody". An unknown id is refused by the service."""
    if raw == UNASSIGNED:
        return None
    user = db().get(User, parse_id(raw)) if parse_id(raw) else None
    if user is None:
        raise ValidationFailed(N_("Choose an engineer"), errors={"engineer_id": N_("Required")})
    return user


@bp.route("/bulk", methods=["POST"])
def bulk() -> Response:
    form = BulkForm()
    back = _back(form.next.data)
    if not form.validate():
        flash(_("The form was incomplete; nothing was changed."), "error")
        return redirect(back)
    center, who, ids, action = own_center(), actor(), form.order.data or [], form.action.data or ""
    try:
        if action == "labels":
            return _labels_pdf(bulk_ops.load_checked_orders(db(), center.id, ids))
        if action == "work_orders":  # made in the background: on to the file's page with its progress
            job = request_work_orders(db(), who, bulk_ops.load_checked_orders(db(), center.id, ids), "work-orders.pdf")
            return redirect(url_for("files.show", job_id=job.id), 303)
        if action.startswith("accept:"):
            order_id, engineer_id = (action.split(":") + ["", ""])[1:3]
            done = bulk_ops.bulk_assign(db(), who, center.id, [order_id], _engineer(engineer_id))
            message = _("Order %(number)s assigned to %(name)s.", number=done[0].number,
                        name=done[0].engineer.name if done[0].engineer else "—")
        elif action == "assign":
            engineer = _engineer(form.engineer_id.data)
            done = bulk_ops.bulk_assign(db(), who, center.id, ids, engineer)
            message = ngettext("%(num)s order assigned to %(name)s.", "%(num)s orders assigned to %(name)s.",
                               len(done), name=engineer.name if engineer else _("nobody"))
        elif action == "priority":
            done = bulk_ops.bulk_set_priority(db(), who, center.id, ids, form.priority.data or "")
            message = ngettext("Priority changed on %(num)s order.", "Priority changed on %(num)s orders.",
                               len(done))
        elif action == "route":
            target = db().get(ServiceCenter, form.center_id.data) if form.center_id.data else None
            if target is None:
                flash(_("Choose a partner center."), "error")
                return redirect(back)
            done = bulk_ops.bulk_route(db(), who, center.id, ids, target)
            message = ngettext(
                "%(num)s order routed to %(center)s. The unit must be shipped: send it with logistics.",
                "%(num)s orders routed to %(center)s. The units must be shipped: send them with logistics.",
                len(done), center=target.name)
        else:
            abort(400)
    except DomainError as exc:
        flash(translate(exc), "error")
        for number, reason in getattr(exc, "blocked", []):
            flash(f"{number}: {translate(reason)}" if reason else number, "error")
        return redirect(back)
    flash(message, "success")
    return redirect(back)

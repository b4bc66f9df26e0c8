"""The team lead's pages: the queue, the deadline board, the figures."""

from __future__ import annotations

from flask import abort, render_template, request
from sqlalchemy import Row, select

from servicecenter.catalog.models import Manufacturer, ProductModel
from servicecenter.centers.models import CenterKind, ServiceCenter
from servicecenter.clock import utcnow
from servicecenter.repairs import queries, queue, team
from servicecenter.repairs.figures import Period, figures_for
from servicecenter.repairs.queue import Deadline
from servicecenter.repairs.states import OPEN_STATES, RepairState
from workstations.team_lead import bp
from workstations.team_lead.forms import BulkForm, QueueFilterForm
from workstations.web.auth_session import actor
from workstations.web.dbsession import db


def own_center() -> ServiceCenter:
    """The center whose queue the team lead runs: their own."""
    center = db().get(ServiceCenter, actor().center_id)
    if center is None:
        abort(404)
    return center


def _brands() -> list[tuple[int, str]]:
    return [(i, name) for i, name in db().execute(
        select(Manufacturer.id, Manufacturer.name).where(Manufacturer.active.is_(True)).order_by(Manufacturer.name))]


def _categories() -> list[str]:
    return list(db().scalars(select(ProductModel.category).distinct().order_by(ProductModel.category)))


def _partners() -> list[Row]:
    """The partner picker's rows (id, code, name, city): columns, not 60 centers as objects."""
    c = ServiceCenter
    return list(db().execute(select(c.id, c.code, c.name, c.city).where(
        c.kind == CenterKind.PARTNER, c.active.is_(True)).order_by(c.code)))


@bp.route("/")
def index() -> str:
    center, now = own_center(), utcnow()
    loads = team.list_engineer_loads(db(), center, now)
    form = QueueFilterForm(request.args)
    form.set_choices([(ld.engineer.id, ld.engineer.name) for ld in loads], _brands(), _categories())
    if not form.validate():
        abort(400)
    page = queue.list_queue(db(), center.id, form.to_filter(), now, center.timezone,
                            page=request.args.get("page", 1, type=int))
    args = {k: request.args.getlist(k) for k in request.args if k != "page"}
    return render_template(
        "team_lead/index.html", center=center, now=now, form=form, page=page, args=args,
        counts=queries.count_orders_by_state(db(), center.id, OPEN_STATES), states=form.state.data or [],
        loads=loads, suggestions=team.suggest_for_orders(page.items, loads), partners=_partners(),
        bulk=BulkForm(formdata=None, next=request.full_path),
    )


@bp.route("/board")
def board() -> str:
    center, now = own_center(), utcnow()
    counts = queue.count_board(db(), center.id, now, center.timezone)
    tiles = [
        ("overdue", counts.overdue, {"deadline": Deadline.OVERDUE.value}),
        ("due_today", counts.due_today, {"deadline": Deadline.DUE_TODAY.value}),
        ("at_risk", counts.at_risk, {"deadline": Deadline.AT_RISK.value}),
        ("awaiting_parts", counts.awaiting_parts, {"state": RepairState.AWAITING_PARTS.value}),
        ("awaiting_approval", counts.awaiting_approval, {"state": RepairState.AWAITING_APPROVAL.value}),
    ]
    return render_template("team_lead/board.html", center=center, tiles=tiles)


@bp.route("/figures")
def figures() -> str:
    center, now = own_center(), utcnow()
    periods = [figures_for(db(), center, p, now) for p in (Period.WEEK, Period.MONTH)]
    return render_template("team_lead/figures.html", center=center, periods=periods)

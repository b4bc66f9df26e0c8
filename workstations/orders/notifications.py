"""The order page's "Notifications" section: what was e-mailed about the order, to whom, and what became of it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from servicecenter.notifications.models import Notification, NotificationKind, NotificationState, SkipReason
from servicecenter.notifications.queries import list_order_notifications
from servicecenter.repairs.models import RepairOrder
from workstations.order_contents import order_has
from workstations.orders import bp
from workstations.web.dbsession import db

KIND_LABELS = {
    NotificationKind.RECEIVED: _l("Received"),
    NotificationKind.ESTIMATE: _l("Estimate awaiting approval"),
    NotificationKind.READY: _l("Ready for pickup"),
    NotificationKind.ISSUED: _l("Handed back"),
    NotificationKind.AT_RISK: _l("Deadline at risk"),
    NotificationKind.OVERDUE: _l("Deadline passed"),
    NotificationKind.PARTS_ARRIVED: _l("Parts arrived"),
}
STATE_LABELS = {
    NotificationState.QUEUED: _l("queued"),
    NotificationState.SENT: _l("sent"),
    NotificationState.FAILED: _l("not sent, will retry"),
    NotificationState.SKIPPED: _l("not sent"),
}
SKIP_LABELS = {
    SkipReason.OPTED_OUT: _l("the customer asked for no e-mails"),
    SkipReason.NO_ADDRESS: _l("no e-mail address"),
}


@bp.app_template_global()
def order_notifications(order: RepairOrder) -> list[Notification]:
    """The order's notification log, newest first."""
    return list_order_notifications(db(), order) if order_has(order).notifications else []


@bp.app_template_global()
def notification_labels() -> dict[str, dict]:
    return {"kind": KIND_LABELS, "state": STATE_LABELS, "skip": SKIP_LABELS}

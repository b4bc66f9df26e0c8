"""Human words for the domain's enums, in the user's language (templates use these)."""

from __future__ import annotations

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind, LocationKind
from servicecenter.repairs import words
from servicecenter.repairs.estimate_models import AnswerChannel
from servicecenter.repairs.models import EventKind
from servicecenter.stock.count_models import CountState
from servicecenter.stock.models import MoveReason
from workstations.web.i18n import lazy_gettext as _l

STATE = {key: _l(msgid) for key, msgid in words.STATE.items()}
ROLE = {
    Role.CALL_CENTER: _l("Call-center operator"),
    Role.INTAKE: _l("Intake clerk"),
    Role.TEAM_LEAD: _l("Team lead"),
    Role.ENGINEER: _l("Repair engineer"),
    Role.WAREHOUSE: _l("Warehouse clerk"),
    Role.LOGISTICS: _l("Logistics clerk"),
    Role.PARTNER: _l("Partner engineer"),
    Role.PARTNER_MANAGER: _l("Partner manager"),
    Role.ADMIN: _l("Administrator"),
}
# Built from the domain's msgids (servicecenter/repairs/words.py), so paper and screen say the same.
ORDER_TYPE = {key: _l(msgid) for key, msgid in words.ORDER_TYPE.items()}
PAYER = {key: _l(msgid) for key, msgid in words.PAYER.items()}
PRIORITY = {key: _l(msgid) for key, msgid in words.PRIORITY.items()}
# How the customer answered an estimate (the order's history and the estimate section).
CHANNEL = {
    AnswerChannel.PHONE: _l("by phone"),
    AnswerChannel.IN_PERSON: _l("in person"),
    AnswerChannel.EMAIL: _l("by e-mail"),
}
OUTCOME = {key: _l(msgid) for key, msgid in words.OUTCOME.items()}
EVENT = {
    EventKind.CREATED: _l("Created"),
    EventKind.STATE: _l("State"),
    EventKind.ASSIGNMENT: _l("Assignment"),
    EventKind.WARRANTY: _l("Warranty decision"),
    EventKind.LOCATION: _l("Location"),
    EventKind.COMMENT: _l("Comment"),
    EventKind.FIELD: _l("Change"),
    EventKind.ROUTING: _l("Routing"),
    EventKind.DEADLINE: _l("Deadlines"),
    EventKind.PARTS: _l("Parts"),
}
CENTER_KIND = {CenterKind.OWN: _l("Own"), CenterKind.PARTNER: _l("Partner")}
LOCATION_KIND = {
    LocationKind.WAREHOUSE: _l("Warehouse"),
    LocationKind.SHELF: _l("Shelf"),
    LocationKind.TRANSIT: _l("In transit"),
    LocationKind.CUSTOMER: _l("With customer"),
    LocationKind.MANUFACTURER: _l("At manufacturer"),
    LocationKind.DEFECTIVE: _l("Defective parts"),
    LocationKind.SCRAPPED: _l("Scrapped"),
}

# Why a part or a unit moved (the stock journal) and the state of an inventory count (warehouse).
MOVE_REASON = {
    MoveReason.RECEIPT: _l("Received from a supplier"),
    MoveReason.PUT_AWAY: _l("Put away"),
    MoveReason.ISSUE: _l("Issued to the bench"),
    MoveReason.RETURN: _l("Returned"),
    MoveReason.TRANSFER: _l("Transfer"),
    MoveReason.SHIPMENT: _l("Shipment"),
    MoveReason.ADJUSTMENT: _l("Inventory adjustment"),
    MoveReason.DEFECTIVE: _l("Kept for the manufacturer"),
    MoveReason.SCRAP: _l("Scrapped"),
    MoveReason.INTAKE: _l("Received at the counter"),
    MoveReason.HANDOVER: _l("Handed back to the customer"),
}
COUNT_STATE = {CountState.OPEN: _l("in progress"), CountState.CONFIRMED: _l("confirmed"),
               CountState.CANCELLED: _l("cancelled")}


# Operation fields named in refusals ("Estimate total: a positive amount").
FIELD = {
    "diagnosis": _l("Diagnosis"),
    "estimate_total": _l("Estimate total, ₽"),
    "outcome": _l("Outcome"),
    "outcome_note": _l("Conclusion"),
    "reason": _l("Reason"),
    "unit": _l("Unit"),
    "fault": _l("Fault"),
    "order_type": _l("Type"),
    "to": _l("State"),
    "text": _l("Comment"),
    "engineer": _l("Engineer"),
}


def label(mapping: dict, value: object) -> str:
    """The label of an enum value, or the raw value when it has none."""
    if value is None:
        return ""
    text = mapping.get(value)  # enum members hash as their values: one lookup, not a walk
    if text is not None:
        return str(text)
    for key, text in mapping.items():
        if key == value:
            return str(text)
    return str(value)

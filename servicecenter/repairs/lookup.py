"""Finding orders for a caller and saying where an order stands, in plain words.

The call center searches by order number, serial, phone or customer name; a customer looks up
one order by its number and the last four digits of their phone, and may rate the repair once.
Messages are English templates (N_) with parameters; dates are the order's center's local
calendar dates, formatted at the edge.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session, joinedload

from servicecenter.centers.models import LocationKind
from servicecenter.clock import local_date, utcnow
from servicecenter.customers.models import Customer
from servicecenter.customers.queries import name_contains
from servicecenter.customers.services import normalise_phone
from servicecenter.equipment.models import Unit
from servicecenter.equipment.services import normalise_serial
from servicecenter.errors import N_, ValidationFailed
from servicecenter.repairs.history import record_event
from servicecenter.repairs.models import EventKind, RepairEvent, RepairOrder
from servicecenter.repairs.states import FINAL_STATES, RepairState
from servicecenter.scanning import ORDER_NUMBER, normalise_scan

MAX_QUERY = 80
MAX_RESULTS = 20
MAX_NAME_MATCHES = 50  # customers whose name matches; their orders are then capped again
MIN_NAME = 2
RECENT_EVENTS = 5
MAX_RATING_COMMENT = 1000


class SearchKind(StrEnum):
    NUMBER = "number"
    SERIAL = "serial"
    PHONE = "phone"
    NAME = "name"


@dataclass(frozen=True)
class Phrase:
    """An English template (N_) and its parameters; `date` values are local calendar dates."""

    message: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderSearch:
    """What a search found, newest first, and how the query was read."""

    query: str
    kinds: tuple[SearchKind, ...]
    orders: list[RepairOrder]
    more: bool  # more orders matched than are listed
    hint: Phrase | None = None  # what to tell the operator when nothing was found


@dataclass(frozen=True)
class OrderCard:
    """An order as the call center tells it: state in words, expected date, the unit's place, last events."""

    order: RepairOrder
    status: Phrase
    expected: date | None
    whereabouts: Phrase
    events: list[RepairEvent]  # newest first


@dataclass(frozen=True)
class PublicStatus:
    """What a customer may see of an order: nothing that names them, their unit or its fault."""

    number: str
    state: RepairState
    status: Phrase
    expected: date | None
    center_name: str
    center_address: str
    center_phone: str
    center_hours: str
    can_rate: bool
    rating: int | None


# --- Reading the query --------------------------------------------------------------------------

_PHONE_CHARS = re.compile(r"^\+?[\d\s()\-.]+$")
_LETTER = re.compile(r"[^\W\d_]")


def parse_order_number(raw: str | None) -> str | None:
    """The order number in what was typed or scanned (any case, Russian layout), or None."""
    try:
        code = normalise_scan(raw)
    except ValidationFailed:
        return None
    return code if ORDER_NUMBER.match(code) else None


def _as_phone(query: str) -> tuple[str | None, bool]:
    """(the phone, whether the query looked like an incomplete phone)."""
    if not _PHONE_CHARS.match(query):
        return None, False
    try:
        return normalise_phone(query), False
    except ValidationFailed:
        return None, len(re.sub(r"\D", "", query)) >= 5


def _as_serial(query: str) -> str | None:
    try:
        return normalise_serial(query)
    except ValidationFailed:
        return None



def search_orders(session: Session, raw: str | None, *, limit: int = MAX_RESULTS) -> OrderSearch:
    """Orders matching an order number, a unit's serial, the customer's phone or name; newest first."""
    query = " ".join((raw or "").split())
    if not query:
        raise ValidationFailed(N_("Type an order number, a serial number, a phone or a name"),
                               errors={"q": N_("Empty")})
    if len(query) > MAX_QUERY:
        raise ValidationFailed(N_("The search is too long: at most %(max)s characters"),
                               errors={"q": N_("Too long")}, max=MAX_QUERY)
    if not query.isprintable():
        raise ValidationFailed(N_("The search contains characters that cannot be typed"),
                               errors={"q": N_("Not searchable")})
    kinds: list[SearchKind] = []
    conditions = []  # one select of (id, created_at) per way the query matches
    hits = select(RepairOrder.id, RepairOrder.created_at)
    number = parse_order_number(query)
    if number is not None:
        kinds.append(SearchKind.NUMBER)
        conditions.append(hits.where(RepairOrder.number == number))
    phone, incomplete_phone = _as_phone(query)
    if phone is not None:
        kinds.append(SearchKind.PHONE)
        conditions.append(hits.join(Customer, Customer.id == RepairOrder.customer_id)
                          .where(Customer.phone == phone))
    serial = _as_serial(query)
    if serial is not None:
        kinds.append(SearchKind.SERIAL)
        conditions.append(hits.join(Unit, Unit.id == RepairOrder.unit_id)
                          .where(Unit.serial == serial))
    if number is None and len(query) >= MIN_NAME and _LETTER.search(query):
        kinds.append(SearchKind.NAME)
        named = list(session.scalars(
            select(Customer.id).where(name_contains(session, query))
            .order_by(Customer.id.desc()).limit(MAX_NAME_MATCHES)))
        if named:
            conditions.append(hits.where(RepairOrder.customer_id.in_(named)))
    if not kinds and incomplete_phone:
        raise ValidationFailed(N_("“%(query)s” is not a phone number: a phone has 10 to 15 digits"),
                               errors={"q": N_("Not a phone number")}, query=query)
    if not kinds:
        raise ValidationFailed(N_("“%(query)s” is not an order number, a serial number, a phone or a name"),
                               errors={"q": N_("Not searchable")}, query=query)
    orders: list[RepairOrder] = []
    if conditions:
        # Each way of matching is its own indexed lookup, newest first, and only then are the few
        # orders found loaded with what a card shows: an OR of the ways, or the loading joins
        # around them, make PostgreSQL walk every order (0.6-5 s at 1,000,000 orders).
        matches = union(*conditions).subquery()
        ids = list(session.scalars(select(matches.c.id).order_by(matches.c.created_at.desc(), matches.c.id.desc())
                                   .limit(limit + 1)))
        found = {o.id: o for o in session.scalars(
            select(RepairOrder).where(RepairOrder.id.in_(ids))
            .options(joinedload(RepairOrder.customer), joinedload(RepairOrder.center),
                     joinedload(RepairOrder.unit).joinedload(Unit.location),
                     joinedload(RepairOrder.unit).joinedload(Unit.manufacturer),
                     joinedload(RepairOrder.unit).joinedload(Unit.model))).unique()} if ids else {}
        orders = [found[i] for i in ids if i in found]
    hint = None
    if not orders:
        if number is not None:
            hint = Phrase(N_("No order %(number)s"), {"number": number})
        elif incomplete_phone:
            hint = Phrase(N_("Nothing found for “%(query)s”. If it is a phone number, it is incomplete: "
                             "a phone has 10 to 15 digits"), {"query": query})
        else:
            hint = Phrase(N_("Nothing found for “%(query)s”"), {"query": query})
    return OrderSearch(query, tuple(kinds), orders[:limit], len(orders) > limit, hint)


# --- Saying where an order stands --------------------------------------------------------------

# The state and since when (the last state change) ...
_SINCE: dict[RepairState, str] = {
    RepairState.REGISTERED: N_("visit pre-registered on %(date)s; the unit has not been handed in yet"),
    RepairState.RECEIVED: N_("received on %(date)s, waiting for diagnosis"),
    RepairState.DIAGNOSIS: N_("in diagnosis since %(date)s"),
    RepairState.AWAITING_APPROVAL: N_("waiting for the customer's decision on the estimate since %(date)s"),
    RepairState.AWAITING_PARTS: N_("waiting for spare parts since %(date)s"),
    RepairState.IN_REPAIR: N_("in repair since %(date)s"),
    RepairState.READY_FOR_PICKUP: N_("ready for pickup since %(date)s"),
    RepairState.ISSUED: N_("handed back to the customer on %(date)s"),
    RepairState.CANCELLED: N_("cancelled on %(date)s"),
}
# ... or, where a deadline is set for the stage the order is in, the state and the deadline.
_DUE: dict[RepairState, tuple[str, str]] = {
    RepairState.RECEIVED: ("diagnosis_due", N_("received, diagnosis due by %(date)s")),
    RepairState.DIAGNOSIS: ("diagnosis_due", N_("in diagnosis, due by %(date)s")),
    RepairState.AWAITING_PARTS: ("repair_due", N_("waiting for spare parts, repair due by %(date)s")),
    RepairState.IN_REPAIR: ("repair_due", N_("in repair, due by %(date)s")),
}


def describe_status(order: RepairOrder, since: datetime | None = None) -> Phrase:
    """The order's state in plain words with its deadline, or since when (`since`: the last state change)."""
    tz = order.center.timezone
    due = _DUE.get(order.state)
    if due is not None and getattr(order, due[0]) is not None:
        return Phrase(due[1], {"date": local_date(getattr(order, due[0]), tz)})
    return Phrase(_SINCE[order.state], {"date": local_date(since or order.created_at, tz)})


def expected_date(order: RepairOrder) -> date | None:
    """When the repair is expected to be done (the center's calendar date), if a deadline is set."""
    if order.state in FINAL_STATES or order.state == RepairState.READY_FOR_PICKUP or order.repair_due is None:
        return None
    return local_date(order.repair_due, order.center.timezone)


_AT_LOCATION: dict[LocationKind, str] = {
    LocationKind.CUSTOMER: N_("with the customer"),
    LocationKind.TRANSIT: N_("in transit (%(location)s)"),
    LocationKind.MANUFACTURER: N_("at the manufacturer (%(location)s)"),
}


def describe_whereabouts(order: RepairOrder) -> Phrase:
    """Where the unit is now: its recorded location, or what the order's state implies."""
    unit = order.unit
    location = unit.location if unit is not None else None
    if location is not None:
        template = _AT_LOCATION.get(location.kind)
        if template is not None:
            return Phrase(template, {"location": location.name})
        center = location.center.name if location.center is not None else order.center.name
        return Phrase(N_("at %(center)s: %(location)s"), {"center": center, "location": location.name})
    if order.state == RepairState.REGISTERED or (order.state == RepairState.CANCELLED
                                                 and order.received_at is None):
        return Phrase(N_("with the customer; not handed in yet"))
    if order.state == RepairState.ISSUED:
        return Phrase(N_("with the customer"))
    if order.state == RepairState.CANCELLED:
        return Phrase(N_("not recorded (the order was cancelled after the unit was received)"))
    return Phrase(N_("at %(center)s"), {"center": order.center.name})


def get_last_state_changes(session: Session, order_ids: Sequence[int]) -> dict[int, datetime]:
    """When each order last changed state (or was created)."""
    if not order_ids:
        return {}
    rows = session.execute(
        select(RepairEvent.order_id, func.max(RepairEvent.at))
        .where(RepairEvent.order_id.in_(order_ids), RepairEvent.kind.in_([EventKind.STATE, EventKind.CREATED]))
        .group_by(RepairEvent.order_id))
    return {order_id: at for order_id, at in rows if at is not None}


def list_recent_events(session: Session, order_ids: Sequence[int], per_order: int = RECENT_EVENTS,
                  ) -> dict[int, list[RepairEvent]]:
    """The last `per_order` events of each order, newest first, in one query."""
    if not order_ids:
        return {}
    ranked = (select(RepairEvent.id, func.row_number().over(partition_by=RepairEvent.order_id,
                                                             order_by=RepairEvent.id.desc()).label("rank"))
              .where(RepairEvent.order_id.in_(order_ids)).subquery())
    events = session.scalars(
        select(RepairEvent).join(ranked, ranked.c.id == RepairEvent.id).where(ranked.c.rank <= per_order)
        .options(joinedload(RepairEvent.actor)).order_by(RepairEvent.id.desc()))
    found: dict[int, list[RepairEvent]] = {oid: [] for oid in order_ids}
    for ev in events:
        found[ev.order_id].append(ev)  # type: ignore[index]
    return found


def list_order_cards(session: Session, orders: Sequence[RepairOrder]) -> list[OrderCard]:
    """Each order with its state in words, expected date, where the unit is, and its last events."""
    ids = [o.id for o in orders]
    since, events = get_last_state_changes(session, ids), list_recent_events(session, ids)
    return [OrderCard(o, describe_status(o, since.get(o.id)), expected_date(o), describe_whereabouts(o),
                      events.get(o.id, [])) for o in orders]


# --- The customer's own view ---------------------------------------------------------------------

def find_order_for_customer(session: Session, number: str | None, last_four: str | None) -> RepairOrder | None:
    """The order, when the number exists and the customer's phone ends in these four digits; else None.

    A wrong number and a wrong phone give the same None: the caller cannot tell which was wrong.
    """
    code = parse_order_number(number)
    digits = (last_four or "").strip()
    if code is None or not re.fullmatch(r"\d{4}", digits):
        return None
    order = session.scalar(select(RepairOrder).where(RepairOrder.number == code)
                           .options(joinedload(RepairOrder.customer), joinedload(RepairOrder.center)))
    phone_end = re.sub(r"\D", "", order.customer.phone)[-4:] if order is not None else ""
    matches = hmac.compare_digest(phone_end.encode().rjust(4, b"-"), digits.encode())
    return order if order is not None and matches else None


def public_status(session: Session, order: RepairOrder) -> PublicStatus:
    """The part of an order its customer may see: state in words, expected date, the center's contacts."""
    center = order.center
    since = get_last_state_changes(session, [order.id]).get(order.id)
    return PublicStatus(
        number=order.number, state=order.state, status=describe_status(order, since),
        expected=expected_date(order), center_name=center.name, center_address=center.address,
        center_phone=center.phone, center_hours=center.hours,
        can_rate=order.state == RepairState.ISSUED and order.rating is None, rating=order.rating)


def rate_repair(session: Session, order: RepairOrder, rating: int | str | None, comment: str = "") -> RepairOrder:
    """The customer's rating of a finished repair (1 to 5, once), kept on the order and in its history."""
    try:
        value = int(str(rating).strip())
    except ValueError:
        value = 0
    if not 1 <= value <= 5:
        raise ValidationFailed(N_("Rate the repair from 1 to 5"), errors={"rating": N_("From 1 to 5")})
    if order.state != RepairState.ISSUED:
        raise ValidationFailed(N_("The repair can be rated once the unit has been handed back"),
                               errors={"rating": N_("Not yet")})
    if order.rating is not None:
        raise ValidationFailed(N_("This repair has already been rated"), errors={"rating": N_("Already rated")})
    text = " ".join((comment or "").split())[:MAX_RATING_COMMENT]
    order.rating, order.rating_comment, order.rated_at = value, text, utcnow()
    # Written as a template, so the history reads in each reader's language (as warranty verdicts do).
    message = N_("The customer rated the repair %(rating)s of 5: %(comment)s") if text else \
        N_("The customer rated the repair %(rating)s of 5")
    record_event(session, actor=None, kind=EventKind.COMMENT, order=order, message=message,
                 params={"rating": value, "comment": text} if text else {"rating": value})
    session.flush()
    return order
